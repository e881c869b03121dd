package readahead_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/textio/readahead"
)

type broken struct {
	r      io.Reader
	closed bool
}

func (b *broken) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

func (b *broken) Close() error { b.closed = true; return nil }

func TestABodyReadAheadReplaysItsBytesThenItsError(t *testing.T) {
	src := &broken{r: strings.NewReader("<provisioning/>")}
	resp := &http.Response{Body: src, ContentLength: -1}
	readahead.Body(resp, 1<<20)
	require.True(t, src.closed, "the network body is done with")
	data, err := io.ReadAll(resp.Body)
	require.Equal(t, "<provisioning/>", string(data))
	require.EqualError(t, err, "connection reset", "the error that broke the body comes after its bytes")
}

func TestABodyIsReadNoFurtherThanOneByteOverTheLimit(t *testing.T) {
	resp := &http.Response{Body: io.NopCloser(strings.NewReader(strings.Repeat("x", 100))), ContentLength: -1}
	readahead.Body(resp, 10)
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Len(t, data, 11)
}

func TestAnAnswerAnnouncedOverTheLimitIsLeftAlone(t *testing.T) {
	body := io.NopCloser(strings.NewReader("xxx"))
	resp := &http.Response{Body: body, ContentLength: 1 << 40}
	readahead.Body(resp, 10)
	require.Equal(t, body, resp.Body)
}
