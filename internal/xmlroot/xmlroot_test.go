package xmlroot

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRootNameIsTheFirstStartTagAfterDeclarationCommentsAndDoctype(t *testing.T) {
	name, ok := Of([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a report -->\n<!DOCTYPE x>\n<testsuites><testsuite/></testsuites>"))
	require.True(t, ok)
	require.Equal(t, "testsuites", name)
	name, ok = Of([]byte(`<scenario name="x"><at t="0s">`))
	require.True(t, ok, "only the root's start tag needs to be there")
	require.Equal(t, "scenario", name)
	name, ok = Of([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><provisioning version="1.1"/>`))
	require.True(t, ok)
	require.Equal(t, "provisioning", name)
}

func TestRootUnknownWhenNotXMLSoTheFileIsStillRead(t *testing.T) {
	for _, src := range []string{"", "not xml", "<<scenario", "<!-- unterminated"} {
		_, ok := Of([]byte(src))
		require.False(t, ok, "%q", src)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "broken.xml")
	require.NoError(t, os.WriteFile(p, []byte("<<"), 0o644))
	require.True(t, Is(p, "scenario"))
	require.True(t, Is(filepath.Join(dir, "missing.xml"), "scenario"))
	q := filepath.Join(dir, "junit.xml")
	require.NoError(t, os.WriteFile(q, []byte(`<testsuites/>`), 0o644))
	require.False(t, Is(q, "scenario"))
}
