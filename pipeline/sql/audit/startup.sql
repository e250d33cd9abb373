-- The line `make audit` prints on start: the views and macros views.sql defined (read from the
-- catalogue, so it never goes stale). `select * from duckdb_columns() where comment is not null`
-- then documents every column.
select 'views: ' || string_agg(view_name, ', ' order by view_name) as "auditors' views and macros (docs/ledger.md)"
from duckdb_views() where not internal
union all
select 'macros: ' || string_agg(distinct function_name, ', ' order by function_name)
from duckdb_functions() where function_type in ('macro', 'table_macro') and not internal;
