package client

import "context"
import "iter"
import "strings"

// The iterators below read a list a page at a time (PageOptions.Limit or
// DiffOptions.Limit a page; 0: 100), starting at the options' Cursor, and
// yield its elements one by one:
//
//	for it, err := range c.Items(ctx, datasetID, client.PageOptions{}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// An error (of any page) is yielded once, with a zero element, and ends the
// sequence. Breaking out of the loop stops the reading: no further page is
// asked for.

// iterPageSize is a page of an iterator whose options leave Limit 0.
const iterPageSize = 100

// Items yields the working items of a dataset (ListItems, page after page).
func (c *Client) Items(ctx context.Context, datasetID string, o PageOptions) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		if o.Limit == 0 {
			o.Limit = iterPageSize
		}
		for {
			page, err := c.ListItems(ctx, datasetID, o)
			if err != nil {
				yield(Item{}, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if page.NextCursor == nil || *page.NextCursor == "" || len(page.Items) == 0 {
				return
			}
			o.Cursor = *page.NextCursor
		}
	}
}

// VersionItems yields the items of the version ref names (ListVersionItems,
// page after page). The pages after the first ask for that version by its
// id, so a ref such as "latest" or a tag that moves meanwhile does not mix
// two versions.
func (c *Client) VersionItems(ctx context.Context, datasetID, ref string, o PageOptions) iter.Seq2[VersionItem, error] {
	return func(yield func(VersionItem, error) bool) {
		if o.Limit == 0 {
			o.Limit = iterPageSize
		}
		for {
			page, err := c.ListVersionItems(ctx, datasetID, ref, o)
			if err != nil {
				yield(VersionItem{}, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			if page.NextCursor == nil || *page.NextCursor == "" || len(page.Items) == 0 {
				return
			}
			if id := page.Items[0].VersionID; id != "" {
				ref = id
			}
			o.Cursor = *page.NextCursor
		}
	}
}

// Changes yields the changes between two versions (Diff, page after page;
// the counts of the whole are Diff's). As with VersionItems, the pages after
// the first name the two versions by their ids, except "working".
func (c *Client) Changes(ctx context.Context, datasetID, from, to string, o DiffOptions) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		if o.Limit == 0 {
			o.Limit = iterPageSize
		}
		for {
			page, err := c.Diff(ctx, datasetID, from, to, o)
			if err != nil {
				yield(Change{}, err)
				return
			}
			for _, ch := range page.Changes {
				if !yield(ch, nil) {
					return
				}
			}
			if page.NextCursor == nil || *page.NextCursor == "" || len(page.Changes) == 0 {
				return
			}
			from, to = pin(from, page.From), pin(to, page.To)
			o.Cursor = *page.NextCursor
		}
	}
}

// pin is ref, or the id of the version it named when it named a version.
func pin(ref string, v *Version) string {
	if v == nil || v.ID == "" || strings.EqualFold(ref, "working") {
		return ref
	}
	return v.ID
}
