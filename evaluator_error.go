package strata

// Messages of evaluator errors, in Lunary's wording.
var (
	ErrEvaluatorNotFound = &Error{Code: ENOTFOUND, Message: "Evaluator not found"}
	ErrRunNotFound       = &Error{Code: ENOTFOUND, Message: "Evaluator run not found"}
	ErrBuiltinAttach     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be attached to datasets"}
	ErrBuiltinCreate     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be created manually."}
	ErrBuiltinDelete     = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be deleted."}
	ErrBuiltinConvert    = &Error{Code: EINVALID, Message: "Cannot convert a custom evaluator into a builtin evaluator."}
	ErrConfigMismatch    = &Error{Code: EINVALID, Message: "Configuration does not match evaluator type"}
	ErrNoPassLabels      = &Error{Code: EINVALID, Message: "Specify at least one passing label"}
	ErrSlotsFull         = &Error{Code: EINVALID, Message: "Maximum number of evaluators reached for this dataset"}
	ErrNoEvaluators      = &Error{Code: EINVALID, Message: "No evaluators attached to this dataset"}
	ErrEvaluatorsMissing = &Error{Code: EINVALID, Message: "One or more evaluators are unavailable"}
	ErrBuiltinRun        = &Error{Code: EINVALID, Message: "Builtin evaluators cannot be used for dataset testing"}
	ErrEvaluatorsChanged = &Error{Code: ECONFLICT, Message: "The dataset's evaluators changed while the run was computing; run it again"}
	ErrRunNotRunning     = &Error{Code: ECONFLICT, Message: "The evaluator run is no longer running"}
)

// ErrUnsupportedType is the error of a run with an evaluator of type t, which
// Strata cannot compute.
func ErrUnsupportedType(t string) error {
	return Errorf(EINVALID, "Evaluator type '%s' is not supported for dataset testing", t)
}
