// Package readahead reads an HTTP answer's body ahead, within a limit, and
// gives it back as a body that replays it. The emulator reads the server
// under test's answers this way wherever it must not be blocked by them
// while it waits: the embedded Sim lets go of its lock for the whole
// answer, and the live world serves reads until the answer is in.
package readahead

import (
	"bytes"
	"io"
	"net/http"
)

// Body reads resp's body now, at most max+1 bytes (one more than a fetch
// accepts, so a reader can still tell the body was too long), closes it
// and puts a replaying body in its place. An answer that announces more
// than max bytes is left as it is: its reader refuses it at once.
func Body(resp *http.Response, max int64) {
	if resp.ContentLength > max {
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	_ = resp.Body.Close()
	resp.Body = &replay{r: bytes.NewReader(data), err: err}
}

// replay gives back a body read ahead, then the error that ended it.
type replay struct {
	r   *bytes.Reader
	err error
}

func (b *replay) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *replay) Close() error { return nil }
