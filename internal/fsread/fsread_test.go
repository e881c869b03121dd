package fsread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegularFileWithinTheLimitIsReadWhole(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.xml")
	require.NoError(t, os.WriteFile(p, []byte("<a/>"), 0o644))
	b, err := ReadFile(p, 4)
	require.NoError(t, err)
	require.Equal(t, "<a/>", string(b))
}

func TestRegularFileOverTheLimitIsRefusedBeforeReading(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.xml")
	require.NoError(t, os.WriteFile(p, []byte("<a/>\n"), 0o644))
	_, err := ReadFile(p, 4)
	var tl *TooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	require.Equal(t, int64(5), tl.Size)
	require.Equal(t, p+" is 5 bytes; the limit is 4", err.Error())
}

func TestDirectoryIsRefused(t *testing.T) {
	_, err := ReadFile(t.TempDir(), 100)
	require.ErrorIs(t, err, ErrDirectory)
	var pe *fs.PathError
	require.True(t, errors.As(err, &pe))
}

// TestEndlessDeviceStopsAtTheLimit: /dev/zero has size 0 to os.Stat and
// never ends; the read stops one byte past the limit, with memory to match.
func TestEndlessDeviceStopsAtTheLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("skipped: no /dev/zero on this system")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadFile("/dev/zero", 1<<20)
	runtime.ReadMemStats(&after)
	var tl *TooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	require.Equal(t, int64(-1), tl.Size)
	require.Equal(t, "/dev/zero is larger than the limit of 1048576 bytes", err.Error())
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "bytes allocated reading 1 MiB of /dev/zero")
}

// TestNamedPipeIsReadWithinTheLimit: a FIFO is read like any stream.
func TestNamedPipeIsReadWithinTheLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("skipped: cannot make a named pipe here: %v", err)
	}
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}()
	_, err := ReadFile(p, 10)
	var tl *TooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
}

func TestReadStopsOneBytePastTheLimit(t *testing.T) {
	b, err := Read("stdin", strings.NewReader("12345"), 5)
	require.NoError(t, err)
	require.Equal(t, "12345", string(b))
	_, err = Read("stdin", strings.NewReader("123456"), 5)
	require.EqualError(t, err, "stdin is larger than the limit of 5 bytes")
}

func TestPrefixStopsAtNWithoutError(t *testing.T) {
	b, err := Prefix(strings.NewReader("123456"), 4)
	require.NoError(t, err)
	require.Equal(t, "1234", string(b))
	b, err = Prefix(strings.NewReader("12"), 4)
	require.NoError(t, err)
	require.Equal(t, "12", string(b))
}
