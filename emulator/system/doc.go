// Package system models a Gigaset PRO DECT IP multicell system as its
// provisioning server sees it: the product and firmware, the handset list
// (slots and their DECT states), the physical handsets with their own
// subscriptions, the settings store, the registration window, and the
// graceful and forced deregistration state machine with its timeout.
//
// Where the vendor text can be read two ways, each reading is a switch
// with a documented default: Readings lists them, WithReading chooses
// another value (see docs/model.md for what each switches).
//
// Everything runs on simulated time owned by package des: nothing happens
// until the caller advances time. A day of device time costs microseconds,
// and the same inputs give the same event log, byte for byte.
//
// Its work is bounded: a system runs at most WithEventBudget simulation
// events and logs at most WithEventLog events or bytes of
// text; past either it stops, and Advance, AdvanceTo and Apply return an
// error wrapping ErrEventBudget (Err says it too). A story that never
// settles ends there instead of exhausting memory.
//
// A System is not safe for concurrent use, not even by methods that only
// read (FindEvents and CountEvents bring the event index up to date);
// callers serialise access (the test-helper package wraps it with a lock).
package system
