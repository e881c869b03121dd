package system

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/fsread"
)

// TestApplyFileBadPaths: whatever a path names, ApplyFile reads within the
// document limit, says what went wrong, and changes nothing but the log.
func TestApplyFileBadPaths(t *testing.T) {
	limit := uint64(provfile.DefaultLimits.MaxBytes)
	dir := t.TempDir()
	sparse, fifo := testfiles.OversizedFiles(t, dir, int64(limit))
	haveFIFO := fifo != ""

	for _, c := range []struct {
		name     string
		path     string
		skip     bool
		rejected bool // a provisioning-rejected event with reason limit
		is       error
		maxAlloc uint64
	}{
		{name: "endless device", path: "/dev/zero", rejected: true, maxAlloc: limit + limit/2},
		{name: "regular file over the limit", path: sparse, rejected: true, maxAlloc: 1 << 20},
		{name: "named pipe over the limit", path: fifo, skip: !haveFIFO, rejected: true, maxAlloc: limit + limit/2},
		{name: "directory", path: dir, is: fsread.ErrDirectory, maxAlloc: 1 << 20},
		{name: "missing", path: filepath.Join(dir, "none.xml"), is: os.ErrNotExist, maxAlloc: 1 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("skipped: no named pipes here")
			}
			if _, err := os.Stat(c.path); c.path == "/dev/zero" && err != nil {
				t.Skip("skipped: no /dev/zero here")
			}
			if c.path == fifo {
				testfiles.FeedFIFO(fifo, '<')
			}
			s := newSys(t)
			addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
			before := s.Snapshot()
			var err error
			n := testfiles.Allocated(func() { _, err = s.ApplyFile(c.path) })
			require.Error(t, err)
			require.Less(t, n, c.maxAlloc, "bytes allocated")
			require.Equal(t, before, s.Snapshot(), "nothing changes")
			if c.rejected {
				var pe *FileError
				require.True(t, errors.As(err, &pe), "%v", err)
				require.Equal(t, "limit", pe.Code)
				require.Contains(t, pe.Msg, "larger than the limit")
				ev := s.Events()
				require.Len(t, ev, 1)
				require.Equal(t, EvProvisioningRejected, ev[0].Type)
				require.Equal(t, "limit", ev[0].Reason)
				return
			}
			require.ErrorIs(t, err, c.is)
			require.Zero(t, s.EventCount(), "nothing arrived, so nothing was rejected")
		})
	}
}

// TestApplyReaderStopsAtTheLimit: an endless reader is read one byte past
// the limit and rejected as too large.
func TestApplyReaderStopsAtTheLimit(t *testing.T) {
	s := newSys(t)
	var err error
	n := testfiles.Allocated(func() { _, err = s.ApplyReader("net", endless{}) })
	var pe *FileError
	require.True(t, errors.As(err, &pe), "%v", err)
	require.Equal(t, "limit", pe.Code)
	require.Less(t, n, uint64(provfile.DefaultLimits.MaxBytes)*3/2)
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
