package sqlstore

import "context"
import "database/sql"
import "encoding/json"
import "errors"
import "fmt"
import "sort"
import "strconv"
import "strings"

import "github.com/strata-eval/strata"

// Reads that one statement answers run outside a transaction: a statement
// sees one snapshot on every backend (PostgreSQL's READ COMMITTED takes it
// per statement, SQLite reads in an implicit transaction), so they see what
// the same statements would in a read-only transaction, for one round trip
// to the database instead of a BEGIN, the statements and a ROLLBACK. A
// lookup that finds nothing may run a second statement, to tell which of the
// names was not found.

// prefixColumns qualifies each column of a comma-separated list with p.
func prefixColumns(cols, p string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// extraScanner scans a row whose leading (before) or trailing (after)
// columns are not the ones a scan function reads.
type extraScanner struct {
	row           scanner
	before, after []any
}

func (e extraScanner) Scan(dest ...any) error {
	all := make([]any, 0, len(e.before)+len(dest)+len(e.after))
	all = append(append(append(all, e.before...), dest...), e.after...)
	return e.row.Scan(all...)
}

// datasetWithConfigs is the dataset query of findDataset: the config of
// each slot (1..5) from one join each, then datasetColumns.
var datasetWithConfigs = func() string {
	var sel, joins strings.Builder
	for n := 1; n <= strata.MaxEvaluatorSlots; n++ {
		c := "c" + strconv.Itoa(n)
		sel.WriteString(c + ".config, ")
		joins.WriteString("\n\tLEFT JOIN evaluator_configs " + c + " ON " + c + ".dataset_id = d.id AND " + c + ".slot = " + strconv.Itoa(n))
	}
	return `SELECT ` + sel.String() + datasetColumns + joins.String() + `
	WHERE d.id = $1 AND d.project_id = $2`
}()

// findDataset returns the dataset of the project with its evaluator configs,
// in one statement.
func findDataset(ctx context.Context, q querier, projectID, id string) (*strata.Dataset, error) {
	if !validID(id) || !validID(projectID) {
		return nil, strata.ErrDatasetNotFound
	}
	var configs [strata.MaxEvaluatorSlots]sql.NullString
	before := make([]any, len(configs))
	for i := range configs {
		before[i] = &configs[i]
	}
	d, err := scanDataset(extraScanner{row: q.QueryRowContext(ctx, datasetWithConfigs, id, projectID), before: before})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, strata.ErrDatasetNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find dataset %s: %w", id, err)
	}
	for i, c := range configs {
		if c.Valid {
			d.EvaluatorConfigs[strconv.Itoa(i+1)] = json.RawMessage(c.String)
		}
	}
	return d, nil
}

// notFound returns ErrDatasetNotFound when the project has no dataset id,
// else missing: what a lookup that found no row reports.
func (s *Store) notFound(ctx context.Context, projectID, id string, missing error) error {
	if !validID(id) || !validID(projectID) {
		return strata.ErrDatasetNotFound
	}
	var one int
	err := s.DB.QueryRowContext(ctx, `SELECT 1 FROM datasets WHERE id = $1 AND project_id = $2`, id, projectID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return strata.ErrDatasetNotFound
	} else if err != nil {
		return fmt.Errorf("find dataset %s: %w", id, err)
	}
	return missing
}

var itemOnce = `SELECT d.id, ` + prefixColumns(revisionColumns, "r") + ` FROM datasets d
	JOIN revisions r ON r.dataset_id = d.id AND r.item_id = $2 AND r.last_version IS NULL
	WHERE d.id = $1 AND d.project_id = $3`

// findItemOnce reads the working revision of an item of a dataset of the
// project in one statement.
func (s *Store) findItemOnce(ctx context.Context, projectID, datasetID, itemID string) (*strata.Item, error) {
	if !validID(datasetID) || !validID(projectID) {
		return nil, strata.ErrDatasetNotFound
	}
	if !validID(itemID) {
		return nil, s.notFound(ctx, projectID, datasetID, strata.ErrItemNotFound)
	}
	var (
		r  revision
		id string
	)
	err := r.scan(extraScanner{row: s.DB.QueryRowContext(ctx, itemOnce, datasetID, itemID, projectID), before: []any{&id}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.notFound(ctx, projectID, datasetID, strata.ErrItemNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("find item %s: %w", itemID, err)
	}
	return r.item(id), nil
}

var versionOnce = `SELECT ` + prefixColumns(versionColumns, "v") + `, t.name FROM datasets d
	JOIN versions v ON v.dataset_id = d.id AND `

// resolveVersionOnce reads the version a ref names, of a dataset of the
// project, and its tags, in one statement: a row for each tag.
func (s *Store) resolveVersionOnce(ctx context.Context, projectID, datasetID, ref string) (*strata.Version, error) {
	if !validID(datasetID) || !validID(projectID) {
		return nil, strata.ErrDatasetNotFound
	}
	r, ok := strata.ParseRef(ref)
	if !ok {
		return nil, s.notFound(ctx, projectID, datasetID, strata.ErrVersionNotFound)
	}
	query, args := versionOnce, []any{datasetID, projectID}
	switch {
	case r.ID != "":
		query, args = query+`v.id = $3`, append(args, r.ID)
	case r.Number > 0:
		query, args = query+`v.number = $3`, append(args, r.Number)
	case r.Latest:
		query += `v.number = d.head`
	default:
		query, args = query+`v.id = (SELECT version_id FROM version_tags WHERE dataset_id = $1 AND name = $3)`, append(args, r.Tag)
	}
	query += `
	LEFT JOIN version_tags t ON t.dataset_id = d.id AND t.version_id = v.id
	WHERE d.id = $1 AND d.project_id = $2`
	rows, err := s.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find version %s: %w", ref, err)
	}
	defer rows.Close()
	var v *strata.Version
	for rows.Next() {
		var tag sql.NullString
		// Every row repeats the version: a version has few tags.
		w, err := scanVersion(extraScanner{row: rows, after: []any{&tag}})
		if err != nil {
			return nil, fmt.Errorf("find version %s: %w", ref, err)
		}
		if v == nil {
			v = w
			v.Tags = []string{}
		}
		if tag.Valid {
			v.Tags = append(v.Tags, tag.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find version %s: %w", ref, err)
	}
	if v == nil {
		return nil, s.notFound(ctx, projectID, datasetID, strata.ErrVersionNotFound)
	}
	sort.Strings(v.Tags)
	return v, nil
}
