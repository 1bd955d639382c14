//! `kedai demo`: a believable restaurant to click around in — one outlet, 8 tables, a menu
//! of 20 dishes in 4 categories, and one account per role.

use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::{
    auth::{password::Passwords, Principal, Role, Staff},
    db::Db,
    domain::DiscountKind,
    entity::{outlet, user},
    error::{AppError, AppResult},
    service::{
        categories::{self, NewCategory},
        corrections,
        orders::{self, NewOrder, NewOrderItem},
        outlets::{self, NewOutlet},
        products::{self, NewModifierGroup, NewProduct, OptionInput},
        sessions,
        tables::{self, NewTable},
        users::{self, NewUser, Registrar},
    },
};

/// Sign-in details to print for the person trying the demo.
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
}

pub struct DemoSummary {
    pub outlet_name: String,
    pub tables: usize,
    pub products: usize,
    pub accounts: Vec<DemoAccount>,
}

/// (name, price, description)
type Dish = (&'static str, i64, &'static str);

const MENU: &[(&str, &[Dish])] = &[
    (
        "Makanan",
        &[
            (
                "Nasi Goreng Kampung",
                28_000,
                "Fried rice with egg, chicken and crackers",
            ),
            ("Mie Goreng Jawa", 26_000, "Javanese fried noodles"),
            (
                "Ayam Bakar Madu",
                35_000,
                "Honey-grilled chicken with rice and sambal",
            ),
            ("Soto Ayam", 25_000, "Turmeric chicken soup with rice"),
            ("Gado-Gado", 22_000, "Vegetables with peanut sauce"),
            (
                "Rendang Sapi",
                45_000,
                "Slow-cooked beef in coconut and spices",
            ),
            (
                "Sate Ayam (10 tusuk)",
                30_000,
                "Chicken satay with peanut sauce",
            ),
        ],
    ),
    (
        "Minuman",
        &[
            ("Es Teh Manis", 6_000, "Sweet iced tea"),
            ("Es Jeruk 🍊", 10_000, "Fresh orange juice"),
            ("Kopi Tubruk", 12_000, "Traditional Javanese coffee"),
            (
                "Es Kopi Susu Gula Aren",
                22_000,
                "Iced coffee with palm sugar",
            ),
            ("Jus Alpukat", 18_000, "Avocado juice with chocolate"),
            ("Air Mineral", 5_000, "Bottled water"),
        ],
    ),
    (
        "Camilan",
        &[
            ("Pisang Goreng", 15_000, "Fried banana fritters"),
            ("Tahu Isi", 12_000, "Stuffed fried tofu"),
            ("Kentang Goreng", 18_000, "French fries"),
            ("Kerupuk Udang", 5_000, "Prawn crackers"),
        ],
    ),
    (
        "Pencuci Mulut",
        &[
            ("Es Campur", 16_000, "Shaved ice with fruit and jelly"),
            ("Klepon", 12_000, "Pandan rice cakes with palm sugar"),
            (
                "Es Cendol",
                14_000,
                "Coconut milk, palm sugar and green jelly",
            ),
        ],
    ),
];

/// Loads the demo into an empty database; refuses politely otherwise.
pub async fn load(db: &Db, passwords: &Passwords) -> AppResult<DemoSummary> {
    let has_users = user::Entity::find().one(db.conn()).await?.is_some();
    let has_outlets = outlet::Entity::find().one(db.conn()).await?.is_some();
    if has_users || has_outlets {
        return Err(AppError::conflict(
            "NOT_EMPTY",
            "this database already has data; the demo only loads into an empty one \
             (use another KEDAI_DATA_DIR, or `kedai migrate fresh --yes` to wipe this one)",
        ));
    }

    let mut accounts = Vec::new();
    let owner_password = random_password()?;
    let owner = users::register(
        db,
        passwords,
        Registrar::Console,
        NewUser {
            username: "owner".into(),
            password: owner_password.clone(),
            role: Some(Role::Owner),
            outlet_id: None,
        },
    )
    .await?;
    accounts.push(DemoAccount {
        username: owner.username.clone(),
        password: owner_password,
        role: Role::Owner,
    });
    let actor = Staff {
        user_id: owner.id,
        username: owner.username,
        role: Role::Owner,
        outlet_id: None,
        device_id: None,
    };

    let outlet = outlets::create_outlet(
        db,
        &actor,
        NewOutlet {
            name: "Warung Kedai".into(),
            address: Some("Jl. Sabang No. 12, Jakarta Pusat".into()),
            currency: Some("IDR".into()),
            service_charge_bp: Some(500),
            max_cashier_discount_bp: Some(1_000),
            tax_bp: Some(1000),
            timezone: Some("Asia/Jakarta".into()),
            qr_self_service: Some(true),
            auto_print_receipt: Some(false),
            receipt_footer: Some("Terima kasih, sampai jumpa lagi!".into()),
            auto_lock_minutes: None,
            language: None,
        },
    )
    .await?;

    let mut tables = Vec::new();
    for number in 1..=8 {
        let capacity = match number {
            1..=2 => 2,
            7..=8 => 6,
            _ => 4,
        };
        let input = NewTable {
            name: format!("Meja {number}"),
            capacity: Some(capacity),
        };
        tables.push(tables::create_table(db, &actor, outlet.id, input).await?);
    }

    let mut product_count = 0;
    let mut plain_dishes = Vec::new();
    for (position, (category_name, dishes)) in MENU.iter().enumerate() {
        let sort = i32::try_from(position).unwrap_or(0);
        let input = NewCategory {
            name: (*category_name).into(),
            sort: Some(sort),
            // Drinks are made at the bar: its own screen and its own printer.
            station: (*category_name == "Minuman").then(|| "Bar".to_owned()),
        };
        let category = categories::create_category(db, &actor, outlet.id, input).await?;
        for (dish_position, (name, price, description)) in dishes.iter().enumerate() {
            let input = NewProduct {
                name: (*name).into(),
                description: Some((*description).into()),
                price: *price,
                category_id: Some(category.id),
                available: Some(*name != "Rendang Sapi"), // one sold-out dish to show the state
                sort: Some(i32::try_from(dish_position).unwrap_or(0)),
            };
            let product = products::create_product(db, &actor, outlet.id, input).await?;
            product_count += 1;
            let groups = modifiers_for(category_name, name);
            if groups.is_empty() && product.product.available {
                plain_dishes.push(product.product.id);
            }
            for group in groups {
                products::create_modifier_group(db, &actor, product.product.id, group).await?;
            }
        }
    }

    for (username, role) in [
        ("manager", Role::Manager),
        ("kasir", Role::Kasir),
        ("waiter", Role::Waiter),
        ("kitchen", Role::Kitchen),
    ] {
        let password = random_password()?;
        let input = NewUser {
            username: username.into(),
            password: password.clone(),
            role: Some(role),
            outlet_id: Some(outlet.id),
        };
        users::register(db, passwords, Registrar::Console, input).await?;
        accounts.push(DemoAccount {
            username: username.into(),
            password,
            role,
        });
    }

    if let (Some(table), [first, second, ..]) = (tables.get(2), plain_dishes.as_slice()) {
        corrected_table(db, &actor, table.id, *first, *second).await?;
    }

    Ok(DemoSummary {
        outlet_name: outlet.name,
        tables: 8,
        products: product_count,
        accounts,
    })
}

/// An open table with an order that was corrected, so a newcomer sees a void and a discount
/// on the cashier's screen, the kitchen board and the guest's bill.
async fn corrected_table(
    db: &Db,
    actor: &Staff,
    table_id: Uuid,
    first: Uuid,
    second: Uuid,
) -> AppResult<()> {
    let (session, _) = sessions::open_session(db, actor, table_id).await?;
    let item = |product_id, quantity| NewOrderItem {
        product_id,
        quantity,
        note: None,
        modifier_option_ids: Vec::new(),
    };
    let order = NewOrder {
        outlet_id: None,
        table_session_id: Some(session.id),
        note: None,
        items: vec![item(first, 2), item(second, 1)],
    };
    // A command of its own, not the server: nothing to remember between its orders.
    let memory = crate::memory::Memory::new(std::time::Duration::ZERO);
    let staff = Principal::Staff(actor.clone());
    let order = orders::create_order(db, &memory, &staff, order, None).await?;
    if let Some(line) = order.items.first() {
        let void = corrections::ItemVoid {
            quantity: 1,
            reason: "Sent back: too salty".into(),
            comp: false,
        };
        corrections::void_item(db, actor, order.order.id, line.item.id, void, None).await?;
    }
    let discount = corrections::NewDiscount {
        item_id: None,
        kind: DiscountKind::Percent,
        value: 1_000,
        reason: "Regular guest".into(),
    };
    corrections::add_discount(db, actor, order.order.id, discount, None).await?;
    Ok(())
}

fn option(name: &str, price_delta: i64) -> OptionInput {
    OptionInput {
        id: None,
        name: name.into(),
        price_delta,
        available: None,
    }
}

fn modifiers_for(category: &str, dish: &str) -> Vec<NewModifierGroup> {
    let mut groups = Vec::new();
    if dish.starts_with("Nasi Goreng") || dish.starts_with("Mie Goreng") {
        groups.push(NewModifierGroup {
            name: "Tingkat pedas".into(),
            min_select: 1,
            max_select: 1,
            sort: Some(0),
            options: vec![
                option("Tidak pedas", 0),
                option("Sedang", 0),
                option("Pedas", 0),
                option("Extra pedas", 2_000),
            ],
        });
        groups.push(NewModifierGroup {
            name: "Tambahan".into(),
            min_select: 0,
            max_select: 3,
            sort: Some(1),
            options: vec![
                option("Telur ceplok", 5_000),
                option("Keju", 7_000),
                option("Kerupuk", 3_000),
            ],
        });
    }
    if category == "Minuman" && dish.starts_with("Es") {
        groups.push(NewModifierGroup {
            name: "Es".into(),
            min_select: 1,
            max_select: 1,
            sort: Some(0),
            options: vec![
                option("Normal", 0),
                option("Sedikit es", 0),
                option("Tanpa es", 0),
            ],
        });
    }
    groups
}

/// 12 URL-safe characters (72 random bits): fine for a demo, typed from the screen.
fn random_password() -> AppResult<String> {
    crate::service::random_url_safe::<9>()
}
