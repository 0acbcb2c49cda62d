package main

import "flag"
import "fmt"
import "strings"

import apiclient "github.com/strata-eval/strata/client"

// filterFlags are the item filters of the commands that read items (pull,
// diff, eval): --split NAME (repeatable: any of), --metadata KEY=VALUE
// (repeatable: all of) and --external-id ID, as the API's split=,
// metadata.KEY= and externalId= (the server checks their values).
func filterFlags(fs *flag.FlagSet) *apiclient.ItemFilter {
	f := &apiclient.ItemFilter{}
	fs.Func("split", "only the items in this split (repeatable: any of them)", func(v string) error {
		f.Splits = append(f.Splits, v)
		return nil
	})
	fs.Func("metadata", "KEY=VALUE: only the items whose metadata KEY has this value (repeatable: all of them)", func(v string) error {
		key, value, ok := strings.Cut(v, "=")
		if !ok || key == "" {
			return fmt.Errorf("want KEY=VALUE, as in lang=en")
		}
		if _, dup := f.Metadata[key]; dup {
			return fmt.Errorf("metadata %s is given twice", key)
		}
		if f.Metadata == nil {
			f.Metadata = map[string]string{}
		}
		f.Metadata[key] = value
		return nil
	})
	fs.Func("external-id", "only the item with this external id", func(v string) error {
		switch {
		case v == "":
			return fmt.Errorf("want an external id (empty would filter nothing)")
		case f.ExternalID != "":
			return fmt.Errorf("given twice: an item has one external id")
		}
		f.ExternalID = v
		return nil
	})
	return f
}

// filterUsage is the filter flags in a command's usage line.
const filterUsage = "[--split S] [--metadata K=V] [--external-id ID]"
