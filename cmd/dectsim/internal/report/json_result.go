package report

import (
	"errors"
	"io"
	"time"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// Types of the --json lines that close a scenario.
const (
	// EvScenarioResult ends every scenario that ran, after its events.
	EvScenarioResult = "scenario-result"
	// EvScenarioError stands for a scenario that could not be read or run.
	EvScenarioError = "scenario-error"
)

// lineHead is the keys every --json line has, in their order; a line
// that is not about one handset leaves ipui and slot empty.
type lineHead struct {
	Scenario string `json:"scenario"`
	T        string `json:"t"`
	Time     string `json:"time"`
	Type     string `json:"type"`
	IPUI     string `json:"ipui"`
	Slot     string `json:"slot"`
}

// JSONResult is the scenario-result line: whether every expectation held
// (passed), how many failed (failed) and how many held
// (expectations-passed). t and time are when the run ended.
type JSONResult struct {
	lineHead
	File               string `json:"file"`
	Name               string `json:"name"`
	Passed             bool   `json:"passed"`
	Failed             int    `json:"failed"`
	ExpectationsPassed int    `json:"expectations-passed"`
}

// JSONError is the scenario-error line: the file, the position in it (0
// when the error has none, as for a file that cannot be opened) and the
// message. No simulated time passed, so t is "0s" and time is empty.
type JSONError struct {
	lineHead
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// WriteJSONResult prints the scenario-result line of a run; the command
// prints it after the run's WriteJSON lines.
func WriteJSONResult(w io.Writer, r *scenario.Result) error {
	sc := r.Scenario
	end := sc.Start
	if r.System != nil {
		end = r.System.Now()
	}
	failed := len(r.Failures)
	return newLineEncoder(w).Encode(JSONResult{lineHead: lineHead{Scenario: sc.File, T: end.Sub(sc.Start).String(), Time: end.UTC().Format(time.RFC3339Nano),
		Type: EvScenarioResult}, File: sc.File, Name: sc.Name, Passed: r.Passed(), Failed: failed, ExpectationsPassed: r.Checks() - failed})
}

// WriteJSONError prints the scenario-error lines of a file that could not
// be read or run: one per mistake of a scenario.Errors, where each
// *scenario.Error says, else one for the file named.
func WriteJSONError(w io.Writer, file string, err error) error {
	var es scenario.Errors
	if errors.As(err, &es) {
		for _, se := range es {
			if err := writeJSONError(w, file, se); err != nil {
				return err
			}
		}
		return nil
	}
	return writeJSONError(w, file, err)
}

func writeJSONError(w io.Writer, file string, err error) error {
	e := JSONError{lineHead: lineHead{Scenario: file, T: "0s", Type: EvScenarioError}, File: file, Message: err.Error()}
	var se *scenario.Error
	if errors.As(err, &se) {
		e.File, e.Line, e.Col, e.Message = se.File, se.Pos.Line, se.Pos.Col, se.Msg
	}
	return newLineEncoder(w).Encode(e)
}
