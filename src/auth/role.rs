//! Staff roles. What each may do is in `permissions`.

use poem_openapi::Enum;
use sea_orm::{sea_query::StringLen, DeriveActiveEnum, EnumIter};

/// A staff member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[oai(rename_all = "UPPERCASE")]
pub enum Role {
    /// Runs the business: every outlet, every setting.
    #[sea_orm(string_value = "OWNER")]
    Owner,
    /// Runs one outlet: its tables, menu, staff, shifts and reports.
    #[sea_orm(string_value = "MANAGER")]
    Manager,
    /// Cashier: orders, payments, own shift.
    #[sea_orm(string_value = "KASIR")]
    Kasir,
    /// Opens tables and takes orders.
    #[sea_orm(string_value = "WAITER")]
    Waiter,
    /// Sees tickets and moves them up to READY.
    #[sea_orm(string_value = "KITCHEN")]
    Kitchen,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "OWNER",
            Role::Manager => "MANAGER",
            Role::Kasir => "KASIR",
            Role::Waiter => "WAITER",
            Role::Kitchen => "KITCHEN",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Owner,
            Role::Manager,
            Role::Kasir,
            Role::Waiter,
            Role::Kitchen,
        ]
        .into_iter()
        .find(|role| role.as_str().eq_ignore_ascii_case(text))
    }

    /// Every role except OWNER belongs to exactly one outlet.
    pub fn needs_outlet(self) -> bool {
        self != Role::Owner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips() {
        for role in [
            Role::Owner,
            Role::Manager,
            Role::Kasir,
            Role::Waiter,
            Role::Kitchen,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("kasir"), Some(Role::Kasir));
        assert_eq!(Role::parse("CHEF"), None);
    }
}
