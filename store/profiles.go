package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"adscan"
)

// PutProfile registers a platform profile, or replaces the YAML (and
// title, site, render mode) of the one with the same name, with an audit
// entry (p.CreatedBy) naming it and its digest, and returns it as stored
// and whether it is new. The caller has checked the YAML (package
// profile); the store checks the name (adscan.ParseProfileName), that the
// site, the YAML and who saves it are given, and computes the digest.
// EINVALID otherwise.
func (s *Store) PutProfile(ctx context.Context, p adscan.PlatformProfile) (adscan.PlatformProfile, bool, error) {
	name, err := adscan.ParseProfileName(p.Name)
	if err != nil {
		return adscan.PlatformProfile{}, false, err
	}
	p.Name = name
	switch {
	case strings.TrimSpace(p.Site) == "":
		return adscan.PlatformProfile{}, false, adscan.Errorf(adscan.EINVALID, "profile %s has no site", name)
	case len(p.YAML) == 0:
		return adscan.PlatformProfile{}, false, adscan.Errorf(adscan.EINVALID, "profile %s has no YAML", name)
	case p.CreatedBy == "":
		return adscan.PlatformProfile{}, false, adscan.Errorf(adscan.EINVALID, "profile %s: who saves it is not given", name)
	}
	sum := sha256.Sum256(p.YAML)
	p.Digest = hex.EncodeToString(sum[:])
	p.UpdatedAt = s.stamp()
	var created bool
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM platform_profiles WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		}
		created = n == 0
		_, err := tx.ExecContext(ctx, `
			INSERT INTO platform_profiles (name, title, site, render, digest, yaml, created_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (name) DO UPDATE SET title = excluded.title, site = excluded.site, render = excluded.render,
				digest = excluded.digest, yaml = excluded.yaml, created_by = excluded.created_by, updated_at = excluded.updated_at`,
			name, p.Title, p.Site, string(p.Render), p.Digest, p.YAML, p.CreatedBy, s.timeArg(p.UpdatedAt))
		if err != nil {
			return err
		}
		return s.addAudit(ctx, tx, adscan.AuditEntry{Actor: p.CreatedBy, Action: adscan.ActionProfileSaved,
			Detail: name + " sha256:" + p.Digest, At: p.UpdatedAt})
	})
	if err != nil {
		return adscan.PlatformProfile{}, false, fmt.Errorf("store: put profile %s: %w", name, err)
	}
	return p, created, nil
}

const selectProfile = `SELECT name, title, site, render, digest, created_by, updated_at, yaml FROM platform_profiles`

// GetProfile returns the profile with that name, YAML included.
// ENOTFOUND if there is none.
func (s *Store) GetProfile(ctx context.Context, name string) (adscan.PlatformProfile, error) {
	var p adscan.PlatformProfile
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanProfile(tx.QueryRowContext(ctx, selectProfile+` WHERE name = $1`, name))
		if errors.Is(err, sql.ErrNoRows) {
			return adscan.Errorf(adscan.ENOTFOUND, "no platform profile %q is registered", name).
				ZHf("没有名为“%s”的平台方案。", name)
		}
		return err
	})
	if err != nil {
		return adscan.PlatformProfile{}, fmt.Errorf("store: get profile %s: %w", name, err)
	}
	return p, nil
}

// ListProfiles returns every registered profile by name, YAML included
// (profiles are small and few).
func (s *Store) ListProfiles(ctx context.Context) ([]adscan.PlatformProfile, error) {
	out, err := queryRows(ctx, s, scanProfile, selectProfile+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list profiles: %w", err)
	}
	return out, nil
}

func scanProfile(r rowScanner) (adscan.PlatformProfile, error) {
	var p adscan.PlatformProfile
	var render string
	err := r.Scan(&p.Name, &p.Title, &p.Site, &render, &p.Digest, &p.CreatedBy, timeInto(&p.UpdatedAt), &p.YAML)
	p.Render = adscan.RenderMode(render)
	return p, err
}

// ListRegions returns the distinct regions (区) of the register's targets,
// sorted, without the empty one: the cities of a profile whose search
// takes them from the register.
func (s *Store) ListRegions(ctx context.Context) ([]string, error) {
	scanRegion := func(r rowScanner) (string, error) {
		var region string
		err := r.Scan(&region)
		return region, err
	}
	out, err := queryRows(ctx, s, scanRegion, `SELECT DISTINCT region FROM targets WHERE region <> '' ORDER BY region`)
	if err != nil {
		return nil, fmt.Errorf("store: list regions: %w", err)
	}
	return out, nil
}
