package api

import (
	"fmt"
	"net/http"
	"time"
)

// KeepAlive is how often an idle stream sends a comment, so proxies and
// clients can tell a quiet emulator from a dead connection.
// A variable, so a test need not wait 15 s.
var KeepAlive = 15 * time.Second

// stream is GET /api/events: every event of every system as Server-Sent
// Events, one "data:" message per event holding it as JSON (the type is
// in the JSON, so EventSource's onmessage sees them all), from the moment
// of the call. A reader that falls live.SubBuffer events behind gets an
// "overflow" event and the stream ends; it reads what it missed from
// /api/systems/{mac}/events?since=.
func (a *API) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "this connection cannot stream")
		return
	}
	sub, err := a.w.Subscribe()
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "%v", err)
		return
	}
	defer a.w.Unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": dectsim events\n\n")
	fl.Flush()
	tick := time.NewTicker(KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case data, open := <-sub.C:
			if !open {
				if sub.Lagged() {
					fmt.Fprint(w, "event: overflow\ndata: {\"error\":\"this stream fell too far behind and was cut; read the events you missed with GET /api/systems/{mac}/events?since=SEQ\"}\n\n")
					fl.Flush()
				}
				return
			}
			// The data is one line: JSON never holds a raw newline.
			fmt.Fprintf(w, "data: %s\n\n", data)
			for more := len(sub.C); more > 0; more-- {
				if data, open = <-sub.C; !open {
					break
				}
				fmt.Fprintf(w, "data: %s\n\n", data)
			}
		}
		fl.Flush()
	}
}
