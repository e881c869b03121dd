package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/fsread"
)

// TestCheckFileBadPaths: whatever a path names, CheckFile reads within the
// document limit and says what went wrong: a limit finding for what is
// too large, an error for what cannot be read.
func TestCheckFileBadPaths(t *testing.T) {
	limit := uint64(provfile.DefaultLimits.MaxBytes)
	dir := t.TempDir()
	sparse, fifo := testfiles.OversizedFiles(t, dir, int64(limit))
	haveFIFO := fifo != ""
	_, zeroErr := os.Stat("/dev/zero")

	for _, c := range []struct {
		name     string
		path     string
		skip     bool
		is       error // nil: a limit finding
		maxAlloc uint64
	}{
		{name: "endless device", path: "/dev/zero", skip: zeroErr != nil, maxAlloc: limit + limit/2},
		{name: "regular file over the limit", path: sparse, maxAlloc: 1 << 20},
		{name: "named pipe over the limit", path: fifo, skip: !haveFIFO, maxAlloc: limit + limit/2},
		{name: "directory", path: dir, is: fsread.ErrDirectory, maxAlloc: 1 << 20},
		{name: "missing", path: filepath.Join(dir, "none.xml"), is: os.ErrNotExist, maxAlloc: 1 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("skipped: not available here")
			}
			if c.path == fifo {
				testfiles.FeedFIFO(fifo, ' ')
			}
			var fs []Finding
			var err error
			n := testfiles.Allocated(func() { fs, err = CheckFile(c.path, Options{}) })
			require.Less(t, n, c.maxAlloc, "bytes allocated")
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
				return
			}
			require.NoError(t, err)
			require.Len(t, fs, 1)
			require.Equal(t, CodeLimit, fs[0].Code)
			require.Equal(t, Error, fs[0].Severity)
			require.True(t, Unreadable(fs))
			require.Equal(t, c.path+":1:1: error: limit: the document is larger than the limit MaxBytes=67108864 bytes; the file is beyond what dectsim reads, and is rejected whole", fs[0].String())
		})
	}
}
