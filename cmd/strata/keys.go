package main

import "context"
import "flag"
import "fmt"
import "io"
import "strings"
import "text/tabwriter"

import "github.com/strata-eval/strata"

const keysUsage = `usage:
  strata keys create --project NAME --role owner|admin|member|viewer [--user-name N] [--user-email E] [--db DSN]
  strata keys list   [--project NAME] [--db DSN]
  strata keys revoke ID [--db DSN]
  strata keys rotate ID [--db DSN]          revoke a key and print its replacement

strata keys SUBCOMMAND --help lists the subcommand's flags.
`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: expected create, list, revoke or rotate")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, keysUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	switch args[0] {
	case "create":
		var c strata.KeyCreate
		fs.StringVar(&c.ProjectName, "project", "default", "project the key belongs to (created if new)")
		role := fs.String("role", "", "owner, admin, member (read and write) or viewer (read only) (required)")
		fs.StringVar(&c.UserName, "user-name", "", "name of the key's user (created if new)")
		fs.StringVar(&c.UserEmail, "user-email", "", "email of the key's user")
		if err := parseNoArgs(fs, args[1:]); err != nil {
			return err
		}
		var missing []string
		if strings.TrimSpace(c.ProjectName) == "" {
			missing = append(missing, "--project NAME")
		}
		if *role == "" {
			missing = append(missing, "--role owner|admin|member|viewer")
		}
		if len(missing) > 0 {
			return fmt.Errorf("keys create: missing %s", strings.Join(missing, " and "))
		}
		c.Role = strata.Role(*role)
		s, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		_, secret, err := s.CreateKey(ctx, c)
		if err != nil {
			return fmt.Errorf("keys create: %s", strata.ErrorMessage(err))
		}
		// The secret alone, so that scripts can capture it.
		_, err = fmt.Fprintln(stdout, secret)
		return err
	case "list":
		project := fs.String("project", "", "only the keys of this project")
		if err := parseNoArgs(fs, args[1:]); err != nil {
			return err
		}
		s, err := openExistingStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		keys, err := s.ListKeys(ctx, *project)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tPROJECT\tROLE\tUSER\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.ProjectName, k.Role,
				k.UserName, k.CreatedAt.Format("2006-01-02 15:04"), revoked)
		}
		return tw.Flush()
	case "revoke":
		ids, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fmt.Errorf("keys revoke: expected one key id, got %d", len(ids))
		}
		s, err := openExistingStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.RevokeKey(ctx, ids[0]); err != nil {
			return fmt.Errorf("keys revoke: %s", strata.ErrorMessage(err))
		}
		_, err = fmt.Fprintln(stdout, "revoked", ids[0])
		return err
	case "rotate":
		ids, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fmt.Errorf("keys rotate: expected one key id, got %d", len(ids))
		}
		s, err := openExistingStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		_, secret, err := s.RotateKey(ctx, ids[0])
		if err != nil {
			return fmt.Errorf("keys rotate: %s", strata.ErrorMessage(err))
		}
		_, err = fmt.Fprintln(stdout, secret)
		return err
	default:
		return fmt.Errorf("keys: unknown subcommand %q (create, list, revoke or rotate)", args[0])
	}
}

// parseArgs parses flags wherever they are among the arguments (the usage
// writes them after the key id), and returns the other arguments. "--" ends
// the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if consumed := len(args) - len(left); consumed > 0 && args[consumed-1] == "--" {
			return append(rest, left...), nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// parseNoArgs parses flags and refuses any other argument.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parseArgs(fs, args)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	return err
}
