//! Staff roles and what each may do with accounts.

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

    /// OWNER and MANAGER administer staff, tables and menu.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// Whether a user with this role may create or edit accounts of role `target`.
    /// A manager handles only the floor roles of its own outlet.
    pub fn can_manage(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Manager => matches!(target, Role::Kasir | Role::Waiter | Role::Kitchen),
            _ => false,
        }
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
    fn managers_handle_only_floor_roles() {
        assert!(Role::Manager.can_manage(Role::Kasir));
        assert!(Role::Manager.can_manage(Role::Kitchen));
        assert!(!Role::Manager.can_manage(Role::Manager));
        assert!(!Role::Manager.can_manage(Role::Owner));
        assert!(Role::Owner.can_manage(Role::Owner));
        assert!(!Role::Kasir.can_manage(Role::Waiter));
    }

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
