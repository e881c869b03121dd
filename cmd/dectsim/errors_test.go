package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunReportsEveryMistakeOfAScenarioFileAndExitsTwo(t *testing.T) {
	p := write(t, t.TempDir(), "bad.xml", "<scenario>\n  <at t=\"soon\"><expect slots=\"0\"/></at>\n  <at t=\"1h\"><jump/><expect slots=\"x\"/></at>\n</scenario>\n")
	code, _, errOut := run(t, "run", p)
	require.Equal(t, 2, code)
	require.Equal(t, 3, strings.Count(errOut, "error: "), errOut)
	require.Contains(t, errOut, p+":2:7: t=\"soon\"")
	require.Contains(t, errOut, p+":3:14: unknown step <jump>")
	require.Contains(t, errOut, p+":3:29: slots=\"x\"")
}
