package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

// Warning codes the system logs that it takes from the provisioning
// reader and the fetcher's version 1.0 chain, not from constants of the
// system.
var readerNoteCodes = []string{"unknown-element", "duplicate-section", "outside-nvm", "chain-category", "mac-address"}

// Reasons of a rejected provisioning file.
var rejectReasons = []string{"xml-syntax", "not-provisioning", "product-id", "limit"}

// deregTriggers are what starts (and, taken back, cancels) a
// deregistration.
var deregTriggers = []string{system.TriggerToDeReg, system.TriggerDeleteNotProvisionedHS, system.TriggerDeleteHS, system.TriggerAdmin}

// eventOutcomes lists, by event type, every value an event of that type
// can carry as its outcome, trigger, reason or code: what the outcome= of
// an <expect-event> or <expect-no-event> may name. A type that is not
// here carries none. A fetch's reason may also be status-NNN (an HTTP
// status), which outcomeOf accepts apart.
var eventOutcomes = map[string][]string{
	system.EvProvisioningRejected: rejectReasons,
	system.EvWarning: append([]string{
		system.WarnDNPHSNotFirst, system.WarnDeleteHSUnsupported, system.WarnIPUICase,
		system.WarnNoSuchSlot, system.WarnCapacity, system.WarnUnknownOper,
		system.WarnBadFirmwareVersion, system.WarnBadRegStatus, system.WarnBadIPUI,
		system.WarnSlotInDereg, system.WarnBadValue, system.WarnMissingName,
		system.WarnRegStatusOutsideOper, system.WarnUnknownParam, system.WarnParamsForRemovedSlot,
		system.WarnToDeRegNotFirst, system.WarnAdminRefused, system.WarnCheckSyncNoReboot,
		system.WarnPeriodTooShort, system.WarnBadTimeOfDay, system.WarnNoSuchDM,
	}, readerNoteCodes...),
	system.EvFetch: {"ok", "error",
		autoprov.ReasonNoURL, autoprov.ReasonBadURL, autoprov.ReasonUnreachable,
		autoprov.ReasonTimeout, autoprov.ReasonTLS, autoprov.ReasonRedirectLoop,
		autoprov.ReasonUnauthorized, autoprov.ReasonTruncated, autoprov.ReasonTooLarge,
		autoprov.ReasonBadEncoding, autoprov.ReasonRejected, autoprov.ReasonNotFound},
	system.EvRegistrationRefused: {system.RefusedNotConnected, system.RefusedSubscribed,
		system.RefusedWrongPIN, system.RefusedWindow, system.RefusedNoSlot,
		system.RefusedSlotState, system.RefusedHandsetLost, system.RefusedSlotGone,
		system.RefusedCancelled, system.RefusedDMFull},
	system.EvDeregRequested: deregTriggers,
	system.EvDeregCancelled: deregTriggers,
	system.EvDeregCompleted: {"graceful"},
	system.EvSIPUnregistered: {system.SIPReasonRemoved, system.SIPReasonNotReachable,
		system.SIPReasonMoved, system.SIPReasonAccountChanged},
	system.EvSIPRegisterFailed: {system.SIPReasonForbidden, system.SIPReasonUnauthorized,
		system.SIPReasonTimeout, system.SIPReasonUnreachable, system.SIPReasonBadAnswer},
	system.EvCheckSync: {system.CheckSyncScenario, system.CheckSyncAPI, system.CheckSyncSIP,
		system.CheckSyncReboot, system.CheckSyncNoReboot},
}

// outcomeOf returns the spelling events of type typ carry for outcome,
// which is matched case-insensitively, or an error listing the values
// that type can carry, with the nearest as a suggestion.
func outcomeOf(typ, outcome string) (string, error) {
	allowed := eventOutcomes[typ]
	for _, a := range allowed {
		if strings.EqualFold(a, outcome) {
			return a, nil
		}
	}
	if typ == system.EvFetch {
		if rest, ok := cutPrefixFold(outcome, "status-"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 100 && n <= 599 && len(rest) == 3 {
				return autoprov.StatusReason(n), nil
			}
		}
	}
	if len(allowed) == 0 {
		return "", fmt.Errorf("outcome=%q: %s events carry no outcome, trigger, reason or code", outcome, typ)
	}
	list := strings.Join(allowed, ", ")
	if typ == system.EvFetch {
		list += ", status-NNN (an HTTP status)"
	}
	msg := fmt.Sprintf("outcome=%q is nothing a %s event carries (it takes %s)", outcome, typ, list)
	if near := nearest(outcome, allowed); near != "" {
		msg = fmt.Sprintf("outcome=%q is nothing a %s event carries; did you mean %q? (it takes %s)", outcome, typ, near, list)
	}
	return "", fmt.Errorf("%s", msg)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

// nearest returns the value of allowed closest to v in edit distance
// (ignoring case), when it is close enough to be a slip: at most a third
// of its length, and at most 3 edits.
func nearest(v string, allowed []string) string {
	best, bestD := "", -1
	lv := strings.ToLower(v)
	for _, a := range allowed {
		d := editDistance(lv, strings.ToLower(a))
		if bestD < 0 || d < bestD {
			best, bestD = a, d
		}
	}
	if bestD < 0 || bestD > 3 || bestD*3 > max(len(best), 3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
// Values longer than 64 bytes are never a slip of a short name.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// EventOutcomes returns the values an event of type typ can carry as its
// outcome, trigger, reason or code, sorted; nil for a type that carries
// none. A fetch may also carry status-NNN.
func EventOutcomes(typ string) []string {
	out := slices.Clone(eventOutcomes[typ])
	slices.Sort(out)
	return out
}
