package fsread

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
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

// pattern is a stream of n bytes whose content says where each byte was.
type pattern struct{ n, off int }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(b) && p.off < p.n {
		b[k] = byte(p.off % 251)
		k++
		p.off++
	}
	return k, nil
}

// TestStreamsCostAboutTwiceTheirSize: a stream of unknown length is read in
// chunks and joined once, so memory is about twice what arrived, and a
// stream over the limit costs about the limit.
func TestStreamsCostAboutTwiceTheirSize(t *testing.T) {
	const limit = 16 << 20
	for _, c := range []struct {
		n        int
		tooLarge bool
		maxAlloc uint64
	}{
		// Small reads: a few KiB (the race detector adds some).
		{n: 0, maxAlloc: 32 << 10},
		{n: 100, maxAlloc: 32 << 10},
		{n: 512, maxAlloc: 32 << 10},
		{n: 8<<20 + 3, maxAlloc: 2*(8<<20) + 2<<20},
		{n: limit, maxAlloc: 2*limit + 2<<20},
		{n: limit + 1, tooLarge: true, maxAlloc: limit + 2<<20},
		{n: 4 * limit, tooLarge: true, maxAlloc: limit + 2<<20},
	} {
		var b []byte
		var err error
		got := testfiles.Allocated(func() { b, err = Read("stream", &pattern{n: c.n}, limit) })
		require.Less(t, got, c.maxAlloc, "n=%d: bytes allocated", c.n)
		if c.tooLarge {
			var tl *TooLargeError
			require.True(t, errors.As(err, &tl), "n=%d: %v", c.n, err)
			continue
		}
		require.NoError(t, err)
		require.Len(t, b, c.n)
		for i := range b {
			if b[i] != byte(i%251) {
				t.Fatalf("n=%d: byte %d is %d, want %d", c.n, i, b[i], i%251)
			}
		}
	}
}

// TestRegularFileCostsItsSize: a file of known size is one buffer.
func TestRegularFileCostsItsSize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	want := strings.Repeat("0123456789", 1<<20)
	require.NoError(t, os.WriteFile(p, []byte(want), 0o644))
	var b []byte
	var err error
	got := testfiles.Allocated(func() { b, err = ReadFile(p, int64(len(want))) })
	require.NoError(t, err)
	require.Equal(t, want, string(b))
	require.Less(t, got, uint64(len(want))+64<<10)
}

func TestPrefixStopsAtNWithoutError(t *testing.T) {
	b, err := Prefix(strings.NewReader("123456"), 4)
	require.NoError(t, err)
	require.Equal(t, "1234", string(b))
	b, err = Prefix(strings.NewReader("12"), 4)
	require.NoError(t, err)
	require.Equal(t, "12", string(b))
}
