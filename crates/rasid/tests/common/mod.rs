//! What the scale-out and PostgreSQL tests share: running the binary, the repository's
//! files, and a PostgreSQL database.
//!
//! The PostgreSQL server of the tests that need one: `RASID_TEST_POSTGRES` gives the URL
//! of a server where the tests may create databases (`scripts/postgres-throwaway` starts
//! one on loopback). Without it those tests are skipped with a message, unless
//! `RASID_REQUIRE_SERVERS=1` (CI sets it), which turns the absence into a failure.

/// A new, empty database for the test `name` (dropped first if a previous run left it),
/// as a `postgres://` URL; `None` (and a message) when no server is configured.
pub fn postgres_database(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var("RASID_TEST_POSTGRES") else {
        assert!(
            std::env::var("RASID_REQUIRE_SERVERS").is_err(),
            "RASID_TEST_POSTGRES is not set, and RASID_REQUIRE_SERVERS is set"
        );
        eprintln!(
            "skipped: no PostgreSQL server (start one with scripts/postgres-throwaway and set \
             RASID_TEST_POSTGRES to its URL)"
        );
        return None;
    };
    let db = format!("rasid_test_{name}_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("RASID_TEST_POSTGRES={admin}: {e}"));
    // (one statement each: several would run as one transaction, which these refuse)
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    // The same server, the new database.
    let (base, _) = admin
        .rsplit_once('/')
        .filter(|(b, _)| b.contains("://") && b.split("://").nth(1).is_some_and(|h| !h.is_empty()))
        .unwrap_or((admin.as_str(), ""));
    Some(format!("{base}/{db}"))
}

/// Run `rasid` (without `$RASID_DB` from the environment).
pub fn rasid(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rasid"))
        .args(args)
        .env_remove("RASID_DB")
        .output()
        .expect("run rasid")
}

/// A file of the repository, by its path from the root.
pub fn data(p: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(p)
        .to_str()
        .unwrap()
        .to_string()
}
