CREATE INDEX arrests_history_key ON arrests_history(arrest_id);
CREATE INDEX arrests_history_vintage ON arrests_history(valid_from, superseded_in);
CREATE UNIQUE INDEX files_loaded_sha256 ON files(sha256, batch_id, coalesce(sheet, '')) WHERE status = 'loaded';
CREATE INDEX quarantine_file ON quarantine(file_id, line);
CREATE INDEX takedowns_history_key ON takedowns_history(request_id);
CREATE INDEX takedowns_history_vintage ON takedowns_history(valid_from, superseded_in);
CREATE INDEX victims_history_key ON victims_history(victim_id);
CREATE INDEX victims_history_vintage ON victims_history(valid_from, superseded_in);
CREATE TABLE arrests (
  arrest_id TEXT NOT NULL,
  arrested_on TEXT NOT NULL,
  agency TEXT NOT NULL,
  offense TEXT NOT NULL,
  suspect_age INTEGER,
  victim_minor INTEGER,
  undercover INTEGER,
  confessed INTEGER,
  proceeds_seized_krw INTEGER,
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL,
  row_hash INTEGER NOT NULL, change TEXT NOT NULL DEFAULT 'new', changed_fields TEXT, valid_from INTEGER REFERENCES batches(id),
  PRIMARY KEY (arrest_id)
) WITHOUT ROWID;
CREATE TABLE arrests_history (
  arrest_id TEXT NOT NULL,
  arrested_on TEXT NOT NULL,
  agency TEXT NOT NULL,
  offense TEXT NOT NULL,
  suspect_age INTEGER,
  victim_minor INTEGER,
  undercover INTEGER,
  confessed INTEGER,
  proceeds_seized_krw INTEGER,
  file_id INTEGER REFERENCES files(id),
  line INTEGER,
  row_hash INTEGER NOT NULL,
  change TEXT NOT NULL,
  changed_fields TEXT,
  valid_from INTEGER NOT NULL REFERENCES batches(id),
  superseded_in INTEGER NOT NULL REFERENCES batches(id),
  superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
);
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  tool_version TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  encoding TEXT NOT NULL
, kind TEXT NOT NULL DEFAULT 'ingest' CHECK (kind IN ('ingest', 'retract')), reason TEXT);
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  kind TEXT,
  status TEXT NOT NULL CHECK (status IN ('loaded', 'rejected')),
  rows_read INTEGER NOT NULL DEFAULT 0,
  loaded INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  unknown_columns TEXT,
  error TEXT
, updated INTEGER NOT NULL DEFAULT 0, corrected INTEGER NOT NULL DEFAULT 0, retracted_in INTEGER REFERENCES batches(id), member TEXT, archive_sha256 TEXT, sheet TEXT);
CREATE TABLE platform_registries (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  batch_id INTEGER REFERENCES batches(id),
  remapped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE publications (
  id INTEGER PRIMARY KEY,
  period TEXT NOT NULL,
  lang TEXT NOT NULL,
  vintage INTEGER NOT NULL REFERENCES batches(id),
  as_of_micros INTEGER NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  written_at TEXT NOT NULL
);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL,
  column_name TEXT,
  value TEXT,
  reason TEXT NOT NULL
, cell TEXT);
CREATE TABLE retractions (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  kind TEXT NOT NULL,
  record_id TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('withdrawn', 'reverted', 'not_found'))
);
CREATE TABLE takedowns (
  request_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  platform_origin TEXT,
  content_kind TEXT,
  requested_by TEXT NOT NULL,
  detected_by TEXT,
  requested_at INTEGER NOT NULL,
  requested_at_text TEXT,
  resolved_at INTEGER,
  resolved_at_text TEXT,
  outcome TEXT NOT NULL,
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL,
  row_hash INTEGER NOT NULL, change TEXT NOT NULL DEFAULT 'new', changed_fields TEXT, valid_from INTEGER REFERENCES batches(id), platform_text TEXT,
  PRIMARY KEY (request_id)
) WITHOUT ROWID;
CREATE TABLE takedowns_history (
  request_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  platform_origin TEXT,
  content_kind TEXT,
  requested_by TEXT NOT NULL,
  detected_by TEXT,
  requested_at INTEGER NOT NULL,
  requested_at_text TEXT,
  resolved_at INTEGER,
  resolved_at_text TEXT,
  outcome TEXT NOT NULL,
  file_id INTEGER REFERENCES files(id),
  line INTEGER,
  row_hash INTEGER NOT NULL,
  change TEXT NOT NULL,
  changed_fields TEXT,
  valid_from INTEGER NOT NULL REFERENCES batches(id),
  superseded_in INTEGER NOT NULL REFERENCES batches(id),
  superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
, platform_text TEXT);
CREATE TABLE victims (
  victim_id TEXT NOT NULL,
  contacted_on TEXT NOT NULL,
  age INTEGER,
  gender TEXT,
  channel TEXT NOT NULL,
  services TEXT,
  region TEXT,
  file_id INTEGER NOT NULL REFERENCES files(id),
  line INTEGER NOT NULL,
  row_hash INTEGER NOT NULL, change TEXT NOT NULL DEFAULT 'new', changed_fields TEXT, valid_from INTEGER REFERENCES batches(id),
  PRIMARY KEY (victim_id)
) WITHOUT ROWID;
CREATE TABLE victims_history (
  victim_id TEXT NOT NULL,
  contacted_on TEXT NOT NULL,
  age INTEGER,
  gender TEXT,
  channel TEXT NOT NULL,
  services TEXT,
  region TEXT,
  file_id INTEGER REFERENCES files(id),
  line INTEGER,
  row_hash INTEGER NOT NULL,
  change TEXT NOT NULL,
  changed_fields TEXT,
  valid_from INTEGER NOT NULL REFERENCES batches(id),
  superseded_in INTEGER NOT NULL REFERENCES batches(id),
  superseded_as TEXT NOT NULL CHECK (superseded_as IN ('update', 'correction', 'retraction'))
);
