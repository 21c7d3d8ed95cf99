//! What the hub's database and each laptop's store share: how they are opened (WAL,
//! foreign keys, durability, migrations), how typed values are read from text columns,
//! the members and floor tables both keep, and the rule that their files are private to their owner.

mod columns;
mod floor;
mod open;
pub mod private;

pub use columns::{
    MEMBER_COLUMNS, json_column, member_from_row, name_column, parse_column, serde_name,
    upsert_member,
};
pub use floor::{floor_queue, save_floor_queue};
pub use open::{Durability, open_migrated};
