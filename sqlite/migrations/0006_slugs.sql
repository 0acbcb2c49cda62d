-- A dataset's slug (slug.go): unique within its project. The migration's Go
-- half gives existing datasets theirs, made from their names; every dataset
-- created afterwards gets one with its row.
ALTER TABLE datasets ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX datasets_project_slug ON datasets (project_id, slug);
