package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/strata-eval/strata"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: expected create, list, revoke or rotate")
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	switch args[0] {
	case "create":
		var c strata.KeyCreate
		fs.StringVar(&c.ProjectName, "project", "default", "project the key belongs to (created if new)")
		role := fs.String("role", "", "owner, admin, member (read and write) or viewer (read only)")
		fs.StringVar(&c.UserName, "user-name", "", "name of the key's user (created if new)")
		fs.StringVar(&c.UserEmail, "user-email", "", "email of the key's user")
		if err := fs.Parse(args[1:]); err != nil {
			return err
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
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		s, err := openStore(ctx, *db)
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
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("keys revoke: expected one key id")
		}
		s, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.RevokeKey(ctx, fs.Arg(0)); err != nil {
			return fmt.Errorf("keys revoke: %s", strata.ErrorMessage(err))
		}
		_, err = fmt.Fprintln(stdout, "revoked", fs.Arg(0))
		return err
	case "rotate":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("keys rotate: expected one key id")
		}
		s, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer s.Close()
		_, secret, err := s.RotateKey(ctx, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("keys rotate: %s", strata.ErrorMessage(err))
		}
		_, err = fmt.Fprintln(stdout, secret)
		return err
	default:
		return fmt.Errorf("keys: unknown subcommand %q (create, list, revoke or rotate)", args[0])
	}
}
