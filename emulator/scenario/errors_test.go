package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryMistakeOfAFileIsReportedInOneRun(t *testing.T) {
	_, err := parseString(t, `<scenario seed="x">
  <system product="N999"/>
  <handset ipui="029e74a599" state="Gone"/>
  <at t="0s">
    <move ipui="029e74a599" range="far"/>
    <expect-event type="dereg-requested" outcome="DeleteNotProvisionedH"/>
    <expect slots="0"/>
  </at>
  <at t="soon"><expect slots="0"/></at>
</scenario>
`)
	var es Errors
	require.True(t, errors.As(err, &es), "%T %v", err, err)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Col))
	}
	require.Equal(t, []string{"1:11", "2:11", "3:30", "5:29", "6:42", "9:7"}, got, es.Error()) // each at its attribute
	require.Contains(t, es[1].Msg, `unknown product "N999"`)
	var first *Error
	require.True(t, errors.As(err, &first), "the first is found as an *Error")
	require.Equal(t, es[0], first)
	var b strings.Builder
	WriteError(&b, err, Style{})
	require.Equal(t, 6, strings.Count(b.String(), "error: "), b.String())
	require.Equal(t, 6, strings.Count(b.String(), "^"), "each with its line and caret")
}

func TestADeclaredHandsetWithAMistakeDoesNotMakeItsStepsMistakes(t *testing.T) {
	_, err := parseString(t, `<scenario>
  <handset ipui="029e74a599" range="far"/>
  <at t="0s"><move ipui="029e74a599" range="out"/></at>
</scenario>`)
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, Pos{Line: 2, Col: 30}, se.Pos, "one mistake, one error, at range=: %v", err)
}

func TestAtMostMaxErrorsMistakesAreReported(t *testing.T) {
	var b strings.Builder
	b.WriteString("<scenario>\n<at t=\"0s\">\n")
	for range MaxErrors + 10 {
		b.WriteString("<jump/>\n")
	}
	b.WriteString("</at>\n<at t=\"1h\"><jump/></at>\n</scenario>\n")
	_, err := parseString(t, b.String())
	var es Errors
	require.ErrorAs(t, err, &es)
	require.Len(t, es, MaxErrors)
	require.Equal(t, MaxErrors+2, es[MaxErrors-1].Pos.Line)
}
