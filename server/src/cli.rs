//! The command line: `serve` (the default), `migrate`, `create-user`, `create-token`, `backup`,
//! `export`, `import`, `set-password`, `seed-demo` and `seed`.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version,
    about = "Blameless postmortems and the action items that come out of them"
)]
pub struct Cli {
    /// `sqlite://PATH` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = crate::db::DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an account; the password is read from HINDSIGHT_PASSWORD or asked for.
    CreateUser(CreateUserArgs),
    /// Create a personal API token for an account (for automation) and print it once.
    CreateToken {
        /// The username the token acts as.
        #[arg(long)]
        user: String,
        /// What will use the token.
        #[arg(long, default_value = "automation")]
        name: String,
    },
    /// Write a consistent, checked copy of the SQLite database to a new file.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Write the organisation's whole history to a new file as one JSON document (the
    /// archive format described in the README); accounts go without their passwords.
    Export {
        #[arg(long)]
        to: PathBuf,
    },
    /// Read an archive written by `export` (or downloaded from Data on the admin pages) into
    /// this instance, which must hold no incidents, teams or services yet.
    Import {
        #[arg(long)]
        from: PathBuf,
    },
    /// Set an account's password; it is read from HINDSIGHT_PASSWORD or asked for. Accounts
    /// that came from an archive have none until it is set.
    SetPassword {
        #[arg(long)]
        username: String,
    },
    /// Fill an empty database with six months of a small company's incidents and demo
    /// accounts for every role; their passwords are printed once.
    SeedDemo,
    /// Fill an empty database with three years of a large organisation's history, for
    /// benchmarks: the same seed and end day give the same data. Every account, `admin` among
    /// them, gets the password in HINDSIGHT_PASSWORD or a new one, printed once.
    Seed(SeedArgs),
}

#[derive(Debug, Args, Clone)]
pub struct SeedArgs {
    /// How many incidents, each with about ten timeline events, a postmortem and three items.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub incidents: u64,
    /// The seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The last day of the history (YYYY-MM-DD, UTC); today by default.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HINDSIGHT_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Mark the session cookie Secure (HTTPS only). Defaults to on unless listening on loopback.
    #[arg(long, env = "HINDSIGHT_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,

    /// Take the client address from the last X-Forwarded-For entry (only behind your own proxy).
    #[arg(long, env = "HINDSIGHT_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,

    /// Requests worked on at once; the rest wait their turn (default: two per core).
    #[arg(long, env = "HINDSIGHT_REQUESTS_AT_ONCE", value_parser = clap::value_parser!(u16).range(1..))]
    pub requests_at_once: Option<u16>,

    /// Serve /metrics to scrapers sending this as `Authorization: Bearer` (off when unset).
    #[arg(long, env = "HINDSIGHT_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Serve /metrics without the token to these addresses or networks (comma-separated,
    /// e.g. `127.0.0.1,10.0.0.0/8`).
    #[arg(long, env = "HINDSIGHT_METRICS_ALLOW", value_parser = crate::metrics::AllowList::parse)]
    pub metrics_allow: Option<crate::metrics::AllowList>,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "HINDSIGHT_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: u64,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "HINDSIGHT_SESSION_ABSOLUTE_HOURS", default_value_t = 168)]
    pub session_absolute_hours: u64,

    /// Minutes between runs of the reminder job that fills inboxes with overdue items and
    /// items awaiting verification. Running it on several instances at once is harmless.
    #[arg(long, env = "HINDSIGHT_REMINDER_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub reminder_minutes: u64,

    /// Directory with the built site (the wasm, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from(["serve"])
    }
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub display_name: String,
    #[arg(long)]
    pub email: String,
    /// viewer, engineer, facilitator, manager or admin.
    #[arg(long, default_value = "engineer")]
    pub role: String,
}

impl ServeArgs {
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
            .unwrap_or(!self.listen.ip().is_loopback())
    }
}

#[derive(Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    fn parse_from<I, T>(args: I) -> ServeArgs
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        ServeOnly::parse_from(args).args
    }
}
