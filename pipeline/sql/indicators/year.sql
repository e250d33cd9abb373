-- The year's facts the indicators are computed from. Needs the audit views (pipeline/audit/views.sql)
-- and `SET VARIABLE year = YYYY;`, run inside an output folder.

-- year_months: one row per run month of the year that has outputs; year_end = the last of them.
create or replace view year_months as
select run_month, run_month = max(run_month) over () as year_end
from months
where run_month like getvariable('year')::varchar || '-%';

-- year_due: one row per person per period (of the year) per pension component due, as computed
-- by the year's last run (the latest truth about the year: each key from the latest month up to it
-- whose scope held it, macro due_as_of).
create or replace view year_due as
select id_number, period, component, due_fen
from due_as_of(getvariable('due_files'), getvariable('recomputed_people_files'),
               getvariable('repriced_periods_files'), (select run_month from year_months where year_end))
where period like getvariable('year')::varchar || '-%'
    and component in ('base', 'topup65', 'account')
    and due_fen > 0;

-- year_ledger: one row per ledger entry written by a run month up to the year's end, under the
-- person's current ID (an entry of a corrected ID counts for the new ID, whose due it is).
create or replace view year_ledger as
select * replace (current_id_number as id_number) from ledger
where run_month <= (select run_month from year_months where year_end);

-- year_roster: one row per accepted roster row of each run month of the year.
create or replace view year_roster as
select * from read_parquet(getvariable('roster_files'))
where run_month in (select run_month from year_months);
