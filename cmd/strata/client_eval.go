package main

import "context"
import "errors"
import "fmt"
import "text/tabwriter"
import "time"

import apiclient "github.com/strata-eval/strata/client"

// evalPoll is how often eval --wait asks how a run is doing.
const evalPoll = 500 * time.Millisecond

// strata eval DATASET [--wait]
func runEval(ctx context.Context, e *clientEnv, args []string) error {
	fs, url, key := e.flags("eval")
	wait := fs.Bool("wait", false, "follow the run until it ends, then print its results")
	filter := filterFlags(fs)
	pos, err := e.parse(fs, url, key, args, 1, "eval DATASET [--wait] "+filterUsage+" [--json]")
	if err != nil {
		return err
	}
	d, err := e.dataset(ctx, pos[0])
	if err != nil {
		return err
	}
	res, err := e.client.RunEvaluators(ctx, d.ID, apiclient.RunOptions{Async: true, Filter: *filter})
	if err != nil {
		return err
	}
	if res.Run.ID == "" {
		if !filter.IsZero() {
			return errors.New("nothing to run: no item matches the filter")
		}
		return errors.New("nothing to run: the dataset has no items")
	}
	run := &res.Run
	if *wait {
		bar := e.newProgress(int64(run.TotalItems), "eval "+d.Slug, false)
		for run.Status == apiclient.RunRunning {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(evalPoll):
			}
			if run, err = e.client.GetRun(ctx, d.ID, run.ID); err != nil {
				return err
			}
			if bar != nil {
				bar.Set(run.ProcessedItems)
			}
		}
		finish(bar)
	}
	if e.json {
		if err := e.printJSON(map[string]any{"dataset": listedDataset{d}, "run": run}); err != nil {
			return err
		}
	} else {
		printRun(e, run)
	}
	if run.Status == apiclient.RunFailed {
		msg := "failed"
		if run.Error != nil {
			msg = *run.Error
		}
		return fmt.Errorf("run %s failed: %s", run.ID, msg)
	}
	return nil
}

func printRun(e *clientEnv, run *apiclient.Run) {
	fmt.Fprintf(e.stdout, "run %s: %s, %d of %d items", run.ID, run.Status, run.ProcessedItems, run.TotalItems)
	if run.VersionNumber != nil {
		fmt.Fprintf(e.stdout, ", version %d", *run.VersionNumber)
	}
	fmt.Fprintln(e.stdout)
	if len(run.Slots) == 0 || run.Status == apiclient.RunRunning {
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tEVALUATOR\tPASS\tFAIL\tUNKNOWN\tPASS RATE")
	for _, s := range run.Slots {
		name, rate := "-", "-"
		if s.EvaluatorName != nil {
			name = *s.EvaluatorName
		}
		if s.PassRate != nil {
			rate = fmt.Sprintf("%.2f%%", *s.PassRate)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%s\n", s.Slot, name, s.PassCount, s.FailCount, s.UnknownCount, rate)
	}
	tw.Flush()
}
