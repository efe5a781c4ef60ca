//! Small builders the migrations share (names follow `fk_<table>_<column>` and
//! `idx_<table>_<columns…>`).

use sea_orm_migration::prelude::*;

/// A foreign key from `table.column` to `to.id`.
pub(crate) fn fk(
    table: impl IntoIden + Clone + 'static,
    column: impl IntoIden + Clone + 'static,
    to: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    let table_name = table.clone().into_iden().to_string();
    let column_name = column.clone().into_iden().to_string();
    ForeignKey::create()
        .name(format!("fk_{table_name}_{column_name}"))
        .from(table, column)
        .to(to, Alias::new("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A plain index on `table(columns…)`.
pub(crate) fn index<T, C>(table: T, columns: &[C]) -> IndexCreateStatement
where
    T: IntoIden + Clone + 'static,
    C: IntoIden + Clone + 'static,
{
    let table_name = table.clone().into_iden().to_string();
    let mut stmt = Index::create();
    stmt.table(table);
    let mut name = format!("idx_{table_name}");
    for column in columns {
        name.push('_');
        name.push_str(&column.clone().into_iden().to_string());
        stmt.col(column.clone());
    }
    stmt.name(name).to_owned()
}
