package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// Expectation is one evaluated expectation.
type Expectation struct {
	Passed   bool   `json:"passed"`
	Detail   string `json:"detail"`
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	At       string `json:"at"`
}

func expectations(os []scenario.Outcome) []Expectation {
	out := make([]Expectation, 0, len(os))
	for _, o := range os {
		e := Expectation{Passed: o.OK, Detail: o.Step.Describe(), File: o.File, Line: o.Step.Pos.Line, Col: o.Step.Pos.Col, At: stamp(o.At)}
		if !o.OK {
			e.Expected, e.Found = o.Expected, o.Found
		}
		out = append(out, e)
	}
	return out
}

// Ran is what a call that drives the systems answers: the events that
// ran, at most serve.MaxCollected, and how many more there were.
type Ran struct {
	Now     string            `json:"now"`
	Events  []serve.EventJSON `json:"events"`
	Omitted int               `json:"omitted,omitempty"`
}

func ran(now time.Time, recs []serve.Record, omitted int) Ran {
	out := Ran{Now: stamp(now), Events: make([]serve.EventJSON, 0, len(recs)), Omitted: omitted}
	for _, r := range recs {
		out.Events = append(out.Events, r.M.EventJSON(r.E))
	}
	return out
}

// StepsAnswer is what POST /api/systems/{mac}/steps answers: the events
// and the expectations' results, a list even when empty.
type StepsAnswer struct {
	Ran
	Expectations []Expectation `json:"expectations"`
}

// steps is POST /api/systems/{mac}/steps: scenario steps, as XML (the
// elements of an <at> block) or as a JSON array, run now in order.
func (a *API) steps(w http.ResponseWriter, r *http.Request) {
	data, err := a.body(r, scenario.MaxStepsBytes)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var (
		out              StepsAnswer
		bad, runE, stopE error
		isJSON           bool
	)
	ok := a.withMember(w, r, func(m *serve.Member) {
		if m.Err != nil {
			stopE = m.Err
			return
		}
		var steps []scenario.Step
		steps, isJSON, bad = parseSteps(m.Live, r, data)
		if bad != nil {
			return
		}
		var outs []scenario.Outcome
		recs, omitted := a.w.Collect(func() {
			outs, runE = m.Live.Steps(steps)
			a.w.Refresh(m)
			a.w.Settle()
		})
		out = StepsAnswer{Ran: ran(a.w.Now(), recs, omitted), Expectations: expectations(outs)}
		if m.Sys.Err() != nil {
			stopE = m.Sys.Err()
		}
	})
	switch {
	case !ok:
	case bad != nil:
		reply(w, http.StatusBadRequest, errorOf(bad))
	case stopE != nil:
		reply(w, http.StatusConflict, struct {
			errorBody
			StepsAnswer
		}{errorBody{Error: "the system has stopped: " + stopE.Error()}, out})
	case runE != nil:
		b := errorOf(runE)
		if isJSON {
			b.Step, b.Line, b.Col, b.Excerpt = b.Line, 0, 0, ""
		}
		b.Error = "the system refused a step (those before it ran): " + b.Error
		reply(w, http.StatusBadRequest, struct {
			errorBody
			StepsAnswer
		}{b, out})
	default:
		reply(w, http.StatusOK, out)
	}
}

// parseSteps reads JSON when the body says it is JSON (by its type or its
// first character), else XML.
func parseSteps(l *scenario.Live, r *http.Request, data []byte) ([]scenario.Step, bool, error) {
	ct := r.Header.Get("Content-Type")
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if strings.Contains(ct, "json") || bytes.HasPrefix(trimmed, []byte("[")) || bytes.HasPrefix(trimmed, []byte("{")) {
		steps, err := l.ParseJSONSteps(data)
		return steps, true, err
	}
	steps, err := l.ParseSteps("steps", data)
	return steps, false, err
}

// errorOf turns a reading error into an answer: position, excerpt and, for
// several mistakes, each of them.
func errorOf(err error) errorBody {
	var es scenario.Errors
	var se *scenario.Error
	var je *scenario.StepError
	var fe *system.FileError
	switch {
	case errors.As(err, &es) && len(es) > 1:
		b := errorOf(es[0])
		for _, e := range es {
			b.Errors = append(b.Errors, errorOf(e))
		}
		return b
	case errors.As(err, &se):
		return errorBody{Error: se.Msg, Line: se.Pos.Line, Col: se.Pos.Col, Excerpt: se.Excerpt()}
	case errors.As(err, &je):
		return errorBody{Error: je.Error(), Step: je.Step}
	case errors.As(err, &fe):
		return errorBody{Error: fe.Msg, Line: fe.Line, Col: fe.Col}
	}
	return errorBody{Error: err.Error()}
}

// provision is POST /api/systems/{mac}/provision: a provisioning file
// applied now, as the web UI's upload applies it. A file the system
// refuses is a 400 with its line and column; the system logs it as
// provisioning-rejected and keeps its state.
func (a *API) provision(w http.ResponseWriter, r *http.Request) {
	data, err := a.body(r, int64(provfile.DefaultLimits.MaxBytes))
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var (
		out     Ran
		applyEr error
		failed  error
	)
	ok := a.withMember(w, r, func(m *serve.Member) {
		if m.Err != nil {
			failed = m.Err
			return
		}
		recs, omitted := a.w.Collect(func() {
			_, applyEr = m.Sys.Apply("upload", data)
			a.w.Refresh(m)
			a.w.Settle()
		})
		out = ran(a.w.Now(), recs, omitted)
	})
	switch {
	case !ok:
	case failed != nil:
		reply(w, http.StatusConflict, errorBody{Error: "the system has stopped and takes no file: " + failed.Error()})
	case applyEr != nil:
		b := errorOf(applyEr)
		b.Error = "the system rejected the file: " + b.Error
		reply(w, http.StatusBadRequest, struct {
			errorBody
			Events []serve.EventJSON `json:"events"`
		}{b, out.Events})
	default:
		reply(w, http.StatusOK, out)
	}
}

// advanceBody is POST /api/advance: exactly one of its fields.
type advanceBody struct {
	By   *string `json:"by"`
	To   *string `json:"to"`
	Next bool    `json:"next"`
}

func (a *API) advance(w http.ResponseWriter, r *http.Request) {
	move, err := a.readAdvance(r)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var (
		mv    serve.Moved
		moveE error
	)
	err = a.w.Do(r.Context(), func() { mv, moveE = move(a.w, r.Context()) })
	switch {
	case err != nil:
		unavailable(w, err)
	case moveE != nil:
		fail(w, http.StatusBadRequest, "%v", moveE)
	default:
		reply(w, http.StatusOK, ran(mv.Now, mv.Events, mv.Omitted))
	}
}

const advanceForms = `send {"by": "24h"}, {"to": "2026-01-02T09:00:00Z"} or {"next": true}`

// readAdvance reads the body of POST /api/advance into the move it asks
// for, to be made on the world's goroutine.
func (a *API) readAdvance(r *http.Request) (func(*serve.World, context.Context) (serve.Moved, error), error) {
	data, err := a.body(r, MaxClockBody)
	if err != nil {
		return nil, err
	}
	var b advanceBody
	if err := decodeJSON(data, &b); err != nil {
		return nil, fmt.Errorf("%v; %s", err, advanceForms)
	}
	if n := btoi(b.By != nil) + btoi(b.To != nil) + btoi(b.Next); n != 1 {
		return nil, fmt.Errorf("give exactly one of by, to and next: %s", advanceForms)
	}
	switch {
	case b.Next:
		return func(w *serve.World, _ context.Context) (serve.Moved, error) { return w.Next() }, nil
	case b.To != nil:
		to, err := time.Parse(time.RFC3339Nano, *b.To)
		if err != nil {
			return nil, fmt.Errorf("to=%q is not an RFC 3339 time (2026-01-02T09:00:00Z)", *b.To)
		}
		return func(w *serve.World, ctx context.Context) (serve.Moved, error) { return w.AdvanceWithin(ctx, to) }, nil
	}
	by, err := time.ParseDuration(*b.By)
	if err != nil || by < 0 {
		return nil, fmt.Errorf("by=%q is not a duration of 0 or more (Go syntax: 90s, 1h30m, 24h)", *b.By)
	}
	if by > serve.MaxAdvance {
		return nil, fmt.Errorf("by=%s is more than %s; move the clock in steps of at most that", *b.By, serve.MaxAdvance)
	}
	return func(w *serve.World, ctx context.Context) (serve.Moved, error) {
		return w.AdvanceWithin(ctx, w.Now().Add(by))
	}, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ClockView is GET /api/clock.
type ClockView struct {
	Now   string  `json:"now"`
	Start string  `json:"start"`
	Mode  string  `json:"mode"`
	Speed float64 `json:"speed,omitempty"`
	// Next is when something is next due in any system.
	Next string `json:"next,omitempty"`
}

func (a *API) clock(w http.ResponseWriter, r *http.Request) {
	var v ClockView
	err := a.call(r, func() {
		v = ClockView{Now: stamp(a.w.Now()), Start: stamp(a.w.Start()), Mode: "manual"}
		if real, speed := a.w.RealClock(); real {
			v.Mode, v.Speed = "real", speed
		}
		if at, ok := a.w.NextDue(); ok {
			v.Next = stamp(at)
		}
	})
	if err != nil {
		unavailable(w, err)
		return
	}
	reply(w, http.StatusOK, v)
}

// ReadingView is one entry of GET /api/readings, as `dectsim readings`
// prints it.
type ReadingView struct {
	Name     string         `json:"name"`
	Default  string         `json:"default"`
	Takes    string         `json:"takes,omitempty"`
	Values   []ReadingValue `json:"values"`
	Vendor   string         `json:"vendor"`
	Source   string         `json:"source"`
	Products string         `json:"products,omitempty"`
}

// ReadingValue is one value of a reading and what it does.
type ReadingValue struct {
	Value string `json:"value"`
	Means string `json:"means"`
}

func (a *API) readings(w http.ResponseWriter, r *http.Request) {
	out := make([]ReadingView, 0, len(readings.All))
	for _, rd := range readings.All {
		v := ReadingView{Name: rd.Name, Default: rd.Default, Vendor: rd.Vendor, Source: rd.Source, Products: rd.Products}
		if rd.Kind != readings.Choice {
			v.Takes = rd.Takes()
		}
		for i, val := range rd.Values {
			v.Values = append(v.Values, ReadingValue{Value: val, Means: rd.Means[i]})
		}
		out = append(out, v)
	}
	reply(w, http.StatusOK, out)
}
