//! Command line: `serve` (the default), `migrate`, `openapi`, `user create`.

use std::{io::IsTerminal, process::ExitCode};

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use uuid::Uuid;

use crate::{
    api,
    auth::{password::Passwords, Role},
    config::{Config, ConfigArgs, LogFormat},
    db::Db,
    files,
    service::{
        backups,
        users::{self, NewUser, Registrar},
    },
    startup,
};

#[derive(Debug, Parser)]
#[command(name = "kedai", version, about = "Restaurant point-of-sale server")]
pub struct Cli {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Manage the database schema (the server also migrates on start).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the OpenAPI spec as JSON.
    Openapi,
    /// Load a demo restaurant (outlet, tables, menu, one account per role) into an empty
    /// database and print the sign-in details.
    Demo,
    /// Back up the SQLite database while the server keeps running: into FILE, or (without
    /// FILE) a verified copy into <data dir>/backups/; `--list` shows those backups.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: Option<std::path::PathBuf>,
        /// List the backups in <data dir>/backups/ and check each one.
        #[arg(long, conflicts_with = "file")]
        list: bool,
    },
    /// Put a backup in place of the database (the server must be stopped). The replaced
    /// database is kept beside it; the next start migrates the restored one.
    Restore {
        /// A backup file, e.g. one `kedai backup --list` shows.
        file: std::path::PathBuf,
    },
    /// Manage staff accounts from the shop PC.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations.
    Up,
    /// Roll back the latest migrations (destroys their data).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
        /// Confirm: data in the rolled-back tables is lost.
        #[arg(long)]
        yes: bool,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Drop every table and migrate from scratch (destroys all data).
    Fresh {
        /// Confirm: every table is dropped.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// OWNER, MANAGER, KASIR, WAITER or KITCHEN.
        #[arg(long)]
        role: String,
        /// Required for non-owners when more than one outlet exists.
        #[arg(long)]
        outlet_id: Option<Uuid>,
    },
}

/// Exit code for unusable configuration or arguments.
const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    if let Err(err) = dotenvy::dotenv() {
        if !err.not_found() {
            eprintln!("error: cannot read .env: {err}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    let cli = Cli::parse();
    init_tracing(cli.config.log_format);

    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        println!("{}", api::spec_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_args(&cli.config) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(EXIT_USAGE);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, config)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            // One server per data folder: a second one would share the SQLite file and the
            // print queue. The lock is the kernel's, so a crash (even kill -9) releases it.
            let _lock = if config.is_sqlite() {
                let Some(lock) = lock_data_folder(&config)? else {
                    eprintln!(
                        "error: another Kedai server is already using the data folder {}",
                        config.data_dir.display()
                    );
                    return Ok(ExitCode::from(EXIT_USAGE));
                };
                Some(lock)
            } else {
                None
            };
            startup::serve(config).await?
        }
        Command::Openapi => println!("{}", api::spec_json()),
        Command::Migrate { action } => return migrate(action, &config).await,
        Command::Demo => return demo(&config).await,
        Command::Backup { file, list } => return backup(&config, file, list).await,
        Command::Restore { file } => return restore(&config, &file).await,
        Command::User {
            action:
                UserAction::Create {
                    username,
                    role,
                    outlet_id,
                },
        } => {
            let Some(role) = Role::parse(&role) else {
                eprintln!(
                    "error: unknown role {role:?} (OWNER, MANAGER, KASIR, WAITER or KITCHEN)"
                );
                return Ok(ExitCode::from(EXIT_USAGE));
            };
            let password = read_password()?;
            let db = startup::open_database(&config).await?;
            let input = NewUser {
                username,
                password,
                role: Some(role),
                outlet_id,
            };
            match users::register(&db, &Passwords::default(), Registrar::Console, input).await {
                Ok(user) => println!(
                    "created {} {} ({})",
                    user.role.as_str(),
                    user.username,
                    user.id
                ),
                Err(err) => {
                    eprintln!("error: {err}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn backup(
    config: &Config,
    file: Option<std::path::PathBuf>,
    list: bool,
) -> anyhow::Result<ExitCode> {
    if !config.is_sqlite() {
        eprintln!("error: kedai backup copies the SQLite database; for PostgreSQL use pg_dump");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    if list {
        let files = backups::list(&config.data_dir).await?;
        if files.is_empty() {
            println!(
                "no backups in {}",
                backups::folder(&config.data_dir).display()
            );
        }
        let mut corrupt = 0;
        for file in &files {
            let verdict = match &file.verified {
                Ok(()) => "ok".to_owned(),
                Err(problem) => {
                    corrupt += 1;
                    format!("CORRUPT: {problem}")
                }
            };
            println!("{}  {} bytes  {verdict}", file.path.display(), file.bytes);
        }
        return Ok(if corrupt > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    let db = Db::connect(&config.database_url).await?;
    match file {
        Some(file) if file.exists() => {
            eprintln!(
                "error: {} already exists; choose a new file",
                file.display()
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Some(file) => {
            db.backup_to(&file).await?;
            println!("backed up to {}", file.display());
        }
        None => {
            let file = backups::back_up(&db, &config.data_dir, config.backup_keep).await?;
            println!("backed up and verified: {}", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !config.is_sqlite() {
        eprintln!(
            "error: kedai restore puts back a SQLite database; for PostgreSQL use pg_restore"
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    // Held until the copy is in place, so a server cannot start on a half-restored folder.
    let Some(_lock) = lock_data_folder(config)? else {
        eprintln!(
            "error: a Kedai server is using the data folder {}; stop it before restoring",
            config.data_dir.display()
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    match backups::restore(file, &config.data_dir).await {
        Ok(kept) => {
            println!("restored {}", file.display());
            if let Some(kept) = kept {
                println!("the replaced database is kept as {}", kept.display());
            }
            println!("start the server: it migrates the restored database if it needs to");
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            eprintln!("error: {problem}");
            Ok(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// The data folder, made if needed, and its lock (`files::lock_data_folder`); `None` while
/// a server holds it.
fn lock_data_folder(config: &Config) -> anyhow::Result<Option<std::fs::File>> {
    startup::prepare_data_folder(config)?;
    Ok(files::lock_data_folder(&config.data_dir)?)
}

async fn migrate(action: MigrateAction, config: &Config) -> anyhow::Result<ExitCode> {
    if config.is_sqlite() {
        startup::prepare_data_folder(config)?;
    }
    let db = Db::connect(&config.database_url).await?;
    match action {
        MigrateAction::Up => {
            db.migrate().await?;
            println!("migrations applied");
        }
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(db.conn()).await? {
                println!("{:<8} {}", migration.status(), migration.name());
            }
        }
        MigrateAction::Down { steps, yes } => {
            if !yes {
                eprintln!("error: rolling back destroys data; add --yes to confirm");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
            Migrator::down(db.conn(), Some(steps)).await?;
            println!("rolled back {steps} migration(s)");
        }
        MigrateAction::Fresh { yes } => {
            if !yes {
                eprintln!("error: fresh drops every table; add --yes to confirm");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
            Migrator::fresh(db.conn()).await?;
            println!("database recreated");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn demo(config: &Config) -> anyhow::Result<ExitCode> {
    let db = startup::open_database(config).await?;
    let summary = match crate::demo::load(&db, &Passwords::default()).await {
        Ok(summary) => summary,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::FAILURE);
        }
    };
    println!(
        "Loaded the demo: outlet \"{}\", {} tables, {} products.\n",
        summary.outlet_name, summary.tables, summary.products
    );
    println!("{:<10} {:<10} password", "role", "username");
    for account in &summary.accounts {
        println!(
            "{:<10} {:<10} {}",
            account.role.as_str(),
            account.username,
            account.password
        );
    }
    println!(
        "\nStart the server (`kedai serve`) and sign in at {}/",
        config.public_url_for(config.bind.port())
    );
    Ok(ExitCode::SUCCESS)
}

/// From the terminal without echo, or the first line of piped input.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line
    };
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn")
    });
    // Logs go to stderr so `kedai openapi > spec.json` stays clean.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => logs.json().try_init(),
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
}
