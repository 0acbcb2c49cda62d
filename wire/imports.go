package wire

// ImportResult answers an import: Lunary's insertedCount, then the mapping
// the file was read with; after a dry run, the preview's fields follow.
type ImportResult struct {
	InsertedCount int           `json:"insertedCount"`
	Mapping       ImportMapping `json:"mapping"`
	// Unmapped names the columns no field reads, whose values the items
	// keep in their metadata.
	Unmapped []string `json:"unmapped"`
	*ImportPreview
}

// ImportMapping is the column each field was read from (nil: none), and
// the fields several columns matched.
type ImportMapping struct {
	Input       *string           `json:"input"`
	GroundTruth *string           `json:"groundTruth"`
	Output      *string           `json:"output"`
	InputFrom   *string           `json:"inputFrom"`
	Ambiguous   []ImportAmbiguity `json:"ambiguous"`
}

// ImportAmbiguity is a field several columns matched: Used was read,
// Ignored passed over.
type ImportAmbiguity struct {
	Field   string   `json:"field"`
	Used    string   `json:"used"`
	Ignored []string `json:"ignored"`
}

// ImportPreview is what a dry run adds to an ImportResult: the records the
// file holds, its columns, the first items as they would be stored, and the
// first error in the file.
type ImportPreview struct {
	DryRun      bool             `json:"dryRun"`
	RecordCount int              `json:"recordCount"`
	Columns     []string         `json:"columns"`
	Items       []ItemContent    `json:"items"`
	Error       *ImportLineError `json:"error"`
}

// ImportLineError is the first error in a file: the line its record begins
// on, the status the import would answer, and the message.
type ImportLineError struct {
	Line    int    `json:"line"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}
