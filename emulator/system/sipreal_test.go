package system

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/sipclient"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// TestARealRegistrarIsSafeForConcurrentUse: one RealRegistrar serves
// many systems registering at once (run with -race), each REGISTER
// reaching the registrar; before Open and after Close a REGISTER fails.
func TestARealRegistrarIsSafeForConcurrentUse(t *testing.T) {
	pbx := testfiles.NewRegistrar(t)
	var r RealRegistrar
	req := func(i int) SIPRequest {
		return SIPRequest{Account: SIPAccount{User: fmt.Sprint(1000 + i), Domain: "pbx.example.net", Registrar: pbx.Addr(), Expires: 180},
			MAC: "7C2F80A1B2C3", Slot: fmt.Sprint(i)}
	}
	var e *SIPError
	require.ErrorAs(t, r.Register(req(0)), &e)
	require.Equal(t, SIPReasonUnreachable, e.Reason)
	require.NoError(t, r.Open("127.0.0.1:5099"))
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = r.Register(req(i)); r.Unregister(req(i)) }()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, i)
	}
	require.Len(t, pbx.Requests(), 80, "40 REGISTERs and 40 with Expires: 0")
	r.Close()
	require.ErrorAs(t, r.Register(req(0)), &e)
}

// TestTheClientsReasonsAreTheSystemsWords: a failure the SIP client names
// is an event reason scenarios and tests can name.
func TestTheClientsReasonsAreTheSystemsWords(t *testing.T) {
	for _, pair := range [][2]string{
		{sipclient.ReasonForbidden, SIPReasonForbidden}, {sipclient.ReasonUnauthorized, SIPReasonUnauthorized},
		{sipclient.ReasonTimeout, SIPReasonTimeout}, {sipclient.ReasonUnreachable, SIPReasonUnreachable},
	} {
		require.Equal(t, pair[1], pair[0])
	}
}
