//! Runtime configuration: flags with environment fallbacks, validated into one `Config`.

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use clap::Args;

/// The settings every command shares. Each flag falls back to the environment variable of
/// the same meaning (and to a `.env` file, read before parsing).
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "KEDAI_BIND",
        default_value = "0.0.0.0:8080",
        global = true
    )]
    pub bind: String,
    /// Database URL: `sqlite://…` or `postgres://…` [default: sqlite://<data dir>/kedai.db?mode=rwc]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Redis URL for realtime fan-out across instances (unset = in-process bus).
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Folder for the SQLite database and the generated JWT secret.
    #[arg(
        long,
        env = "KEDAI_DATA_DIR",
        default_value = "./kedai-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Secret for signing staff tokens (≥ 32 characters). Unset = generated once into the data
    /// folder; scaled-out instances must share one.
    #[arg(long, env = "KEDAI_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Base URL printed in table QR codes, e.g. `http://192.168.1.10:8080`
    /// [default: http://<first non-loopback IPv4>:<port>]
    #[arg(long, env = "KEDAI_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Lifetime of a staff token: a number with unit s, m, h or d (e.g. `12h`).
    #[arg(long, env = "KEDAI_TOKEN_TTL", default_value = "12h", global = true)]
    pub token_ttl: String,
    /// Load balancers or reverse proxies (comma-separated IPs) whose `X-Forwarded-For` names the
    /// real client, for the per-address login throttle [default: none; the TCP peer is the client]
    #[arg(
        long,
        env = "KEDAI_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
    /// Open connections at most (WebSockets included); more are closed at once.
    #[arg(
        long,
        env = "KEDAI_MAX_CONNECTIONS",
        default_value_t = 4096,
        global = true
    )]
    pub max_connections: usize,
    /// Open connections from one client address at most (trusted proxies are not limited).
    #[arg(
        long,
        env = "KEDAI_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 256,
        global = true
    )]
    pub max_connections_per_client: usize,
    /// Log lines as `text` (for people) or `json` (one object per line, for log collectors).
    #[arg(
        long,
        env = "KEDAI_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    /// How often to back up the SQLite database into `<data dir>/backups/` (`6h`, `1d`; `off`).
    #[arg(long, env = "KEDAI_BACKUP_EVERY", default_value = "1d", global = true)]
    pub backup_every: String,
    /// Verified backups to keep; older ones are removed.
    #[arg(long, env = "KEDAI_BACKUP_KEEP", default_value_t = 14, global = true)]
    pub backup_keep: usize,
    /// SQLite: write transactions that may share one commit (1: each commits alone).
    #[arg(long, env = "KEDAI_GROUP_COMMIT", default_value_t = crate::db::GROUP_COMMIT_MAX, global = true)]
    pub group_commit: usize,
    /// PostgreSQL: connections this instance opens at most (every instance of a chain opens
    /// its own; their sum must stay below the server's `max_connections`).
    #[arg(long, env = "KEDAI_DB_CONNECTIONS", default_value_t = crate::db::PG_CONNECTIONS, global = true)]
    pub db_connections: u32,
    /// Bearer token for `GET /metrics` (≥ 16 characters); unset = no metrics (404).
    #[arg(
        long,
        env = "KEDAI_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    pub redis_url: Option<String>,
    pub data_dir: PathBuf,
    pub jwt_secret: Option<String>,
    /// Scheduled SQLite backups; `None`: off (and always off on PostgreSQL).
    pub backup_every: Option<Duration>,
    pub backup_keep: usize,
    /// SQLite: write transactions that may share one commit (`db`).
    pub group_commit: usize,
    /// PostgreSQL: the pool's size.
    pub db_connections: u32,
    /// `GET /metrics` answers only with this bearer token; `None`: 404.
    pub metrics_token: Option<String>,
    /// Without a trailing slash.
    pub public_url: Option<String>,
    pub token_ttl: Duration,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Realtime tunables (not settable from the environment; tests and benchmarks adjust them).
    pub realtime: crate::realtime::RealtimeConfig,
    /// Overload and timeout bounds (not settable from the environment).
    pub limits: crate::middleware::Limits,
    /// Connection caps and timeouts of the listener.
    pub connections: crate::server::ConnectionLimits,
    /// The print worker's timeouts and back-off (not settable from the environment).
    pub print: crate::printing::worker::PrintConfig,
}

/// A configuration value that cannot be used, naming the variable it came from.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    pub fn from_args(args: &ConfigArgs) -> Result<Self, ConfigError> {
        let bind = args.bind.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "KEDAI_BIND",
                format!("{:?} is not host:port (e.g. 0.0.0.0:8080)", args.bind),
            )
        })?;

        let database_url = match non_empty(&args.database_url) {
            Some(url) => {
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(invalid(
                        "DATABASE_URL",
                        "must start with sqlite: or postgres:// (the value is not shown)",
                    ));
                }
                url.to_owned()
            }
            None => format!("sqlite://{}/kedai.db?mode=rwc", args.data_dir.display()),
        };

        let redis_url = match non_empty(&args.redis_url) {
            Some(url) => {
                redis::Client::open(url).map_err(|_| {
                    invalid(
                        "REDIS_URL",
                        "not a valid redis:// URL (the value is not shown)",
                    )
                })?;
                Some(url.to_owned())
            }
            None => None,
        };

        let jwt_secret = match non_empty(&args.jwt_secret) {
            Some(secret) if secret.len() < 32 => {
                return Err(invalid(
                    "KEDAI_JWT_SECRET",
                    "must be at least 32 characters",
                ))
            }
            other => other.map(str::to_owned),
        };

        let metrics_token = match non_empty(&args.metrics_token) {
            Some(token) if token.len() < 16 => {
                return Err(invalid(
                    "KEDAI_METRICS_TOKEN",
                    "must be at least 16 characters",
                ))
            }
            other => other.map(str::to_owned),
        };

        let public_url = match non_empty(&args.public_url) {
            Some(url) => Some(parse_public_url(url)?),
            None => None,
        };

        let backup_every = match args.backup_every.trim() {
            "off" | "0" => None,
            every => Some(
                parse_duration(every)
                    .filter(|every| *every >= Duration::from_secs(1))
                    .ok_or_else(|| {
                        invalid(
                            "KEDAI_BACKUP_EVERY",
                            format!("{every:?} is not a duration (e.g. 6h, 1d) or off"),
                        )
                    })?,
            ),
        };
        if args.backup_keep == 0 {
            return Err(invalid("KEDAI_BACKUP_KEEP", "must be at least 1"));
        }
        if !(1..=1024).contains(&args.group_commit) {
            return Err(invalid("KEDAI_GROUP_COMMIT", "must be 1–1024"));
        }
        if !(2..=1000).contains(&args.db_connections) {
            return Err(invalid("KEDAI_DB_CONNECTIONS", "must be 2–1000"));
        }

        let token_ttl = parse_duration(&args.token_ttl)
            .filter(|ttl| {
                *ttl >= Duration::from_secs(60) && *ttl <= Duration::from_secs(30 * 86400)
            })
            .ok_or_else(|| {
                invalid(
                    "KEDAI_TOKEN_TTL",
                    format!(
                        "{:?} is not a duration between 1m and 30d (e.g. 12h, 90m)",
                        args.token_ttl
                    ),
                )
            })?;

        let trusted_proxies = args
            .trusted_proxies
            .iter()
            .map(|ip| ip.trim())
            .filter(|ip| !ip.is_empty())
            .map(|ip| {
                ip.parse::<IpAddr>().map_err(|_| {
                    invalid(
                        "KEDAI_TRUSTED_PROXIES",
                        format!("{ip:?} is not an IP address (e.g. 10.0.0.2,10.0.0.3)"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        if args.max_connections == 0 {
            return Err(invalid("KEDAI_MAX_CONNECTIONS", "must be at least 1"));
        }
        if args.max_connections_per_client == 0 {
            return Err(invalid(
                "KEDAI_MAX_CONNECTIONS_PER_CLIENT",
                "must be at least 1",
            ));
        }
        let connections = crate::server::ConnectionLimits {
            max_connections: args.max_connections,
            max_per_client: args.max_connections_per_client,
            exempt: trusted_proxies.clone(),
            ..Default::default()
        };

        Ok(Config {
            bind,
            database_url,
            redis_url,
            data_dir: args.data_dir.clone(),
            jwt_secret,
            metrics_token,
            backup_every,
            backup_keep: args.backup_keep,
            group_commit: args.group_commit,
            db_connections: args.db_connections,
            public_url,
            token_ttl,
            trusted_proxies,
            realtime: Default::default(),
            limits: Default::default(),
            print: Default::default(),
            connections,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The base URL guests' phones use: `KEDAI_PUBLIC_URL`, or this machine's LAN address.
    /// Never `localhost` or `0.0.0.0` — a phone on the shop Wi-Fi could not reach those.
    pub fn public_url_for(&self, port: u16) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        match lan_ipv4() {
            Some(ip) => format!("http://{ip}:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| invalid("KEDAI_PUBLIC_URL", "must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(invalid(
            "KEDAI_PUBLIC_URL",
            "must name a host, e.g. http://192.168.1.10:8080",
        ));
    }
    Ok(url.to_owned())
}

/// `90`, `90s`, `15m`, `12h`, `7d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = digits.parse().ok()?;
    let seconds = match unit {
        "s" => value,
        "m" => value.checked_mul(60)?,
        "h" => value.checked_mul(3600)?,
        "d" => value.checked_mul(86400)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

/// The first non-loopback IPv4 address of this machine (what the shop's phones can reach).
fn lan_ipv4() -> Option<std::net::Ipv4Addr> {
    if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .filter(|iface| !iface.is_loopback())
        .find_map(|iface| match iface.ip() {
            std::net::IpAddr::V4(ip) if !ip.is_link_local() && !ip.is_unspecified() => Some(ip),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ConfigArgs,
    }

    fn parse(flags: &[&str]) -> Result<Config, ConfigError> {
        let mut argv = vec!["kedai"];
        argv.extend_from_slice(flags);
        Config::from_args(&Cli::parse_from(argv).args)
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43200)));
        assert_eq!(parse_duration("90m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172800)));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("12 hours"), None);
        assert_eq!(parse_duration("-1h"), None);
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir() {
        let config = parse(&["--data-dir", "/tmp/k"]).unwrap();
        assert_eq!(config.database_url, "sqlite:///tmp/k/kedai.db?mode=rwc");
        assert_eq!(config.token_ttl, Duration::from_secs(12 * 3600));
        assert!(config.is_sqlite());
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: [(&[&str], &str); 7] = [
            (&["--bind", "nope"], "KEDAI_BIND"),
            (&["--database-url", "mysql://x"], "DATABASE_URL"),
            (&["--redis-url", "ftp://x"], "REDIS_URL"),
            (&["--jwt-secret", "short"], "KEDAI_JWT_SECRET"),
            (&["--public-url", "localhost:8080"], "KEDAI_PUBLIC_URL"),
            (&["--token-ttl", "forever"], "KEDAI_TOKEN_TTL"),
            (
                &["--trusted-proxies", "10.0.0.2,lb"],
                "KEDAI_TRUSTED_PROXIES",
            ),
        ];
        for (flags, variable) in cases {
            assert_eq!(parse(flags).unwrap_err().variable, variable, "{flags:?}");
        }
    }

    #[test]
    fn public_url_loses_its_trailing_slash() {
        let config = parse(&["--public-url", "http://10.0.0.5:8080/"]).unwrap();
        assert_eq!(config.public_url_for(1), "http://10.0.0.5:8080");
    }
}
