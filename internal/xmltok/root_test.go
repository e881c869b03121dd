package xmltok

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRootNameIsTheFirstStartTagAfterDeclarationCommentsAndDoctype(t *testing.T) {
	name, ok := rootOf([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a report -->\n<!DOCTYPE x>\n<testsuites><testsuite/></testsuites>"))
	require.True(t, ok)
	require.Equal(t, "testsuites", name)
	name, ok = rootOf([]byte(`<scenario name="x"><at t="0s">`))
	require.True(t, ok, "only the root's start tag needs to be there")
	require.Equal(t, "scenario", name)
	name, ok = rootOf([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><provisioning version="1.1"/>`))
	require.True(t, ok)
	require.Equal(t, "provisioning", name)
}

func TestRootUnknownWhenNotXMLSoTheFileIsStillRead(t *testing.T) {
	for _, src := range []string{"", "not xml", "<<scenario", "<!-- unterminated"} {
		_, ok := rootOf([]byte(src))
		require.False(t, ok, "%q", src)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "broken.xml")
	require.NoError(t, os.WriteFile(p, []byte("<<"), 0o644))
	require.True(t, rootIs(p, "scenario"))
	require.True(t, rootIs(filepath.Join(dir, "missing.xml"), "scenario"))
	q := filepath.Join(dir, "junit.xml")
	require.NoError(t, os.WriteFile(q, []byte(`<testsuites/>`), 0o644))
	require.False(t, rootIs(q, "scenario"))
}

// TestInDirListsRegularFilesOfTheKindSorted: pipes, subdirectories, other
// extensions and other roots are left out; a file that is not XML stays.
func TestInDirListsRegularFilesOfTheKindSorted(t *testing.T) {
	dir := t.TempDir()
	put := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	b := put("b.xml", `<provisioning/>`)
	a := put("a.xml", `<?xml version="1.0"?><provisioning version="1.1"/>`)
	broken := put("c.xml", `not xml`)
	put("s.xml", `<scenario/>`)
	put("p.txt", `<provisioning/>`)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.xml"), 0o755))
	_ = syscall.Mkfifo(filepath.Join(dir, "fifo.xml"), 0o600)
	got, err := FilesWithRoot(dir, "provisioning")
	require.NoError(t, err)
	require.Equal(t, []string{a, b, broken}, got)
	_, err = FilesWithRoot(filepath.Join(dir, "missing"), "provisioning")
	require.Error(t, err)
}
