package syshook

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type fakeSystem struct{ log []string }

func TestOfReturnsTheHostTheRegisteredAccessorBuilds(t *testing.T) {
	Set(func(s *fakeSystem) Host[string] {
		return Host[string]{Record: func(e string) { s.log = append(s.log, e) }}
	})
	s := &fakeSystem{}
	Of[string](s).Record("fetch")
	require.Equal(t, []string{"fetch"}, s.log)

	require.PanicsWithValue(t, "syshook: no accessor registered for *syshook.fakeSystem",
		func() { Of[int](s) }, "a wrong event type is a programming error")
}
