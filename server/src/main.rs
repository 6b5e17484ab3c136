//! `hindsight`: the server binary and its administrative subcommands.

use anyhow::{Context, bail};
use app::domain::{DisplayName, Email, NewPassword, Role, Username};
use app::services::accounts::{self, NewAccount};
use app::state::{AppState, Clock, Settings};
use clap::Parser;
use server::cli::{Cli, Command, CreateUserArgs, ServeArgs};
use server::router::{WebConfig, router};
use server::sessions::DbSessionStore;
use server::{backup, db};
use std::net::SocketAddr;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

/// Rust's allocations go to mimalloc, which gives each thread a heap of its own. With glibc's
/// allocator, a page of the incident list spent a quarter of its time allocating and freeing,
/// and the server's threads queued for its locks; see BENCHMARKS.md ("mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How often expired sessions and stale sign-in failures are removed.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(600);

fn main() -> anyhow::Result<()> {
    // Logs go to stderr so that what a command prints (a token, say) can be piped.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    // After the logger, so that a setting the allocator refuses is reported, and before the
    // runtime starts its threads, since the allocators' settings are not made for a running
    // program.
    server::memory::tune_allocator();
    run()
}

#[tokio::main]
async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let db = db::connect(&cli.database_url).await?;
    db::migrate(&db).await?;
    match cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::default()))
    {
        Command::Serve(args) => serve(db, args).await,
        Command::Migrate => {
            println!("Migrations applied.");
            Ok(())
        }
        Command::CreateUser(args) => create_user(db, args).await,
        Command::CreateToken { user, name } => create_token(db, &user, &name).await,
        Command::SeedDemo => server::demo::seed(&db, chrono::Utc::now()).await,
        Command::Seed(args) => seed(db, args).await,
        Command::Export { to } => {
            let counts = server::archive::export_to_file(&db, &to).await?;
            println!(
                "Archive written to {}: {} incidents, {} action items, {} reviews, {} accounts.",
                to.display(),
                counts.incidents,
                counts.action_items,
                counts.reviews,
                counts.users
            );
            Ok(())
        }
        Command::Import { from } => {
            let imported = server::archive::import_file(&db, &from).await?;
            println!(
                "Imported {} incidents, {} action items and {} reviews from {}.",
                imported.counts.incidents,
                imported.counts.action_items,
                imported.counts.reviews,
                from.display()
            );
            if !imported.accounts_created.is_empty() {
                println!(
                    "These accounts were created without a password; set one with `hindsight set-password --username NAME`: {}",
                    imported.accounts_created.join(", ")
                );
            }
            Ok(())
        }
        Command::SetPassword { username } => set_password(db, &username).await,
        Command::Backup { to } => {
            backup::backup(&db, &to).await?;
            println!("Backup written to {} and checked.", to.display());
            Ok(())
        }
    }
}

async fn serve(db: app::state::Db, args: ServeArgs) -> anyhow::Result<()> {
    let mut options = leptos::config::get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options;
    options.site_addr = args.listen;
    options.site_root = args.site_root.clone().into();
    // cargo-leptos tells a server it starts whether the build named its files by content; a
    // binary started any other way finds out from the list of names beside it.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = server::assets::exe_dir().is_some_and(|dir| {
            server::assets::hashed_build(
                &dir,
                &options.hash_file,
                std::path::Path::new(&*options.site_root),
                &options.site_pkg_dir,
                &options.output_name,
            )
        });
    }
    // A server that `cargo leptos watch` runs (it sets `LEPTOS_WATCH`) reloads its pages as it
    // rebuilds them, over a web socket the policy then lets them open; one started any other way,
    // unless `LEPTOS_ENV` says otherwise, is a production server.
    if std::env::var_os("LEPTOS_ENV").is_none() && std::env::var_os("LEPTOS_WATCH").is_none() {
        options.env = leptos::config::Env::PROD;
    }
    let settings = Settings {
        session_idle: Duration::from_secs(args.session_idle_minutes * 60),
        session_absolute: Duration::from_secs(args.session_absolute_hours * 3600),
    };
    let state = AppState::new(db.clone(), settings, Clock::system(), options);
    let metrics = server::metrics::Metrics::new(server::metrics::MetricsAccess {
        token: args.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        allow: args.metrics_allow.clone().unwrap_or_default().0,
    });
    if metrics.enabled() {
        tokio::spawn(metrics_upkeep(metrics.clone()));
    }
    let web = WebConfig {
        secure_cookies: args.secure_cookies(),
        trust_forwarded_for: args.trust_proxy,
        requests_at_once: args.requests_at_once.map(usize::from),
        metrics,
    };
    app::services::passwords::warm_up();
    tokio::spawn(cleanup(state.clone()));
    tokio::spawn(remind(
        state.clone(),
        Duration::from_secs(args.reminder_minutes * 60),
    ));

    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?
        // A page is written in several pieces; without this, a kept-alive connection waits
        // for the client's delayed acknowledgement (tens of milliseconds) between them.
        .tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(%err, "could not set TCP_NODELAY");
            }
        });
    let app = router(state, &web);
    println!("Hindsight is running at http://{}", args.listen);
    if !web.secure_cookies && !args.listen.ip().is_loopback() {
        tracing::warn!("session cookies are not marked Secure; serve Hindsight over HTTPS");
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Folds recent request timings into their histogram buckets, so that memory stays bounded
/// between scrapes.
async fn metrics_upkeep(metrics: server::metrics::Metrics) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        metrics.upkeep();
    }
}

async fn cleanup(state: AppState) {
    let store = DbSessionStore::new(state.db.clone());
    let mut tick = tokio::time::interval(CLEANUP_INTERVAL);
    loop {
        tick.tick().await;
        if let Err(err) = store.delete_expired().await {
            tracing::warn!(%err, "removing expired sessions failed");
        }
        if let Err(err) = db::optimize(&state.db).await {
            tracing::warn!(%err, "updating the query planner's statistics failed");
        }
        if let Err(err) =
            app::services::login_throttle::prune(state.db.write(), state.clock.now()).await
        {
            tracing::warn!(?err, "pruning sign-in failures failed");
        }
    }
}

/// Fills inboxes with the notices the day calls for, at start-up and then every `every`.
async fn remind(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let now = state.clock.now();
        let today = match app::services::organisation::today(state.db.read(), now).await {
            Ok(today) => today,
            Err(err) => {
                tracing::warn!(?err, "the reminder job could not read the reporting zone");
                continue;
            }
        };
        match app::services::notices::remind(&state.db, today, now).await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, "reminders written"),
            Err(err) => tracing::warn!(?err, "the reminder job failed"),
        }
    }
}

async fn seed(db: app::state::Db, args: server::cli::SeedArgs) -> anyhow::Result<()> {
    let password = server::seed::password_from_env();
    let started = std::time::Instant::now();
    let seeded = server::seed::seed(
        &db,
        server::seed::SeedOptions {
            incidents: args.incidents,
            seed: args.seed,
            until: args
                .until
                .unwrap_or_else(|| chrono::Utc::now().date_naive()),
            password: password.clone(),
        },
    )
    .await?;
    let elapsed = started.elapsed();
    println!(
        "Seeded {} incidents ({} timeline events, {} action items, {} reminders), {} deploys, {} teams, {} services and {} accounts in {:.1} s ({:.0} incidents/s).",
        seeded.incidents,
        seeded.timeline_events,
        seeded.action_items,
        seeded.notices,
        seeded.deploys,
        seeded.teams,
        seeded.services,
        seeded.users,
        elapsed.as_secs_f64(),
        server::seed::per_second(seeded.incidents, elapsed),
    );
    if std::env::var_os("HINDSIGHT_PASSWORD").is_none() {
        println!("Every account's password (shown only now): {password}");
    }
    Ok(())
}

fn flag<T>(name: &str, parsed: Result<T, String>) -> anyhow::Result<T> {
    parsed.map_err(|m| anyhow::anyhow!("--{name} {m}"))
}

/// HINDSIGHT_PASSWORD, or a password typed twice.
fn read_password() -> anyhow::Result<String> {
    match std::env::var("HINDSIGHT_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            let first = rpassword::prompt_password("Password: ").context("reading the password")?;
            let again =
                rpassword::prompt_password("Repeat it: ").context("reading the password")?;
            if first != again {
                bail!("the passwords do not match");
            }
            Ok(first)
        }
    }
}

async fn set_password(db: app::state::Db, username: &str) -> anyhow::Result<()> {
    let username = flag("username", Username::parse(username))?;
    let user = accounts::find_by_username(db.read(), &username)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("there is no account named {username}"))?;
    let password =
        NewPassword::parse(&read_password()?).map_err(|m| anyhow::anyhow!("the password {m}"))?;
    accounts::set_password(db.write(), user, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Password set for {username}; its sessions have ended.");
    Ok(())
}

async fn create_user(db: app::state::Db, args: CreateUserArgs) -> anyhow::Result<()> {
    let password = read_password()?;
    let account = NewAccount {
        username: flag("username", Username::parse(&args.username))?,
        display_name: flag("display-name", DisplayName::parse(&args.display_name))?,
        email: flag("email", Email::parse(&args.email))?,
        role: flag("role", Role::parse(&args.role))?,
        password: NewPassword::parse(&password).map_err(|m| anyhow::anyhow!("the password {m}"))?,
    };
    let created = accounts::create(db.write(), account, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Created {} ({}) as {}.",
        created.username, created.display_name, created.role
    );
    Ok(())
}

async fn create_token(db: app::state::Db, username: &str, name: &str) -> anyhow::Result<()> {
    let username = flag("user", Username::parse(username))?;
    let user = accounts::find_by_username(db.read(), &username)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| format!("there is no account named {username}"))?;
    let (_, token) =
        app::services::api_tokens::create(db.write(), user.id, name, chrono::Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("Token {name:?} for {username} (shown only now):");
    println!("{token}");
    Ok(())
}
