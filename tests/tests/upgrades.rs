//! Databases written by every earlier build, the laptop's store and the hub's alike: a
//! fixture per schema version (the database file as that version's migrations left it,
//! rows they put in included, under tests/fixtures), opened by this build, upgrades to
//! exactly the schema a new database has. A migration edited after it
//! shipped, or one that cannot run on an older database, fails here.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use rusqlite::Connection;

/// One kind of Quorum database: where its migrations are, and how this build opens it.
struct Kind {
    name: &'static str,
    migrations: &'static str,
    /// Opens (and so upgrades) the database file at the path, or makes a new one there.
    open: fn(&Path),
}

const STORE: Kind = Kind {
    name: "store",
    migrations: "crates/quorum-store/src/migrations",
    open: |path| drop(quorum_store::Store::open(path).unwrap()),
};

const HUB: Kind = Kind {
    name: "hub",
    migrations: "crates/quorum-hub/src/migrations",
    open: |path| {
        let folder = path.parent().unwrap().join(path.file_stem().unwrap());
        std::fs::create_dir_all(&folder).unwrap();
        if path.exists() {
            std::fs::rename(path, folder.join("hub.sqlite3")).unwrap();
        }
        drop(quorum_hub::HubStore::open(&folder).unwrap());
        std::fs::rename(folder.join("hub.sqlite3"), path).unwrap();
    },
};

fn workspace(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

impl Kind {
    fn migration_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(workspace(self.migrations))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        files
    }

    fn fixture(&self, version: usize) -> PathBuf {
        workspace("tests/fixtures").join(format!("{}-v{version}.sqlite3", self.name))
    }

    /// Makes at `path` the database as its first `version` migrations leave it, small
    /// (512-byte pages), as the build that shipped them would have written it.
    fn write_at(&self, version: usize, path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "page_size", 512).unwrap();
        for file in &self.migration_files()[..version] {
            conn.execute_batch(&std::fs::read_to_string(file).unwrap())
                .unwrap();
        }
        conn.pragma_update(None, "user_version", version).unwrap();
        conn.execute_batch("VACUUM").unwrap();
    }

    fn check_every_earlier_version(&self) {
        let latest = self.migration_files().len();
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.sqlite3");
        (self.open)(&fresh);
        let wanted = schema(&Connection::open(&fresh).unwrap());
        for version in 1..latest {
            let old = dir.path().join(format!("v{version}.sqlite3"));
            std::fs::copy(self.fixture(version), &old).unwrap_or_else(|_| {
                panic!(
                    "no {} fixture for version {version}: run the ignored writer",
                    self.name
                )
            });
            (self.open)(&old);
            let conn = Connection::open(&old).unwrap();
            let found: usize = conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            let what = format!("a {} of version {version}", self.name);
            assert_eq!(found, latest, "{what} is upgraded to {latest}");
            assert_eq!(schema(&conn), wanted, "{what} ends with a new one's schema");
        }
    }

    /// Writes the fixtures missing for versions before the latest. Those already there
    /// are never rewritten: they are what the shipped builds made.
    fn write_missing_fixtures(&self) {
        std::fs::create_dir_all(workspace("tests/fixtures")).unwrap();
        for version in 1..self.migration_files().len() {
            if !self.fixture(version).exists() {
                self.write_at(version, &self.fixture(version));
            }
        }
    }
}

/// Every table, index and trigger, as SQLite keeps their definitions.
fn schema(conn: &Connection) -> Vec<(String, String, String)> {
    let mut statement = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC, name",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn a_laptop_store_from_every_earlier_version_upgrades_to_the_schema_of_a_new_one() {
    STORE.check_every_earlier_version();
}

#[test]
fn a_hub_database_from_every_earlier_version_upgrades_to_the_schema_of_a_new_one() {
    HUB.check_every_earlier_version();
}

/// Run once when a migration is added, and commit what it wrote.
#[test]
#[ignore = "writes fixtures: cargo test -p quorum-e2e --test upgrades write -- --ignored"]
fn write_fixtures() {
    STORE.write_missing_fixtures();
    HUB.write_missing_fixtures();
}
