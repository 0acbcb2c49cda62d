package sqlstore

import "database/sql"
import "testing"

// TestItemOneAllocation holds a scanned row's item to one allocation: the
// item with the strings its GroundTruth and Output point to.
func TestItemOneAllocation(t *testing.T) {
	r := revision{id: "r", itemID: "i", seq: 1, firstVersion: 1, input: "question",
		groundTruth: sql.NullString{String: "answer", Valid: true}, output: sql.NullString{String: "output", Valid: true}}
	if n := testing.AllocsPerRun(100, func() { r.item("d") }); n != 1 {
		t.Errorf("item: %v allocations, want 1", n)
	}
	it := r.item("d")
	if *it.GroundTruth != "answer" || *it.Output != "output" || it.Input != "question" || it.RevisionID != "r" {
		t.Errorf("item = %+v", it)
	}
	r.groundTruth.Valid, r.output.Valid = false, false
	if it := r.item("d"); it.GroundTruth != nil || it.Output != nil {
		t.Errorf("NULL ground truth and output: %v, %v, want nil", it.GroundTruth, it.Output)
	}
}
