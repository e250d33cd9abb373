-- Formulas the money steps and the auditors' views share, written once (loaded before either).

-- month_at_age(birth_date, years): the month ('YYYY-MM') in which a person born on birth_date turns
-- `years` old (the month pension age or the 65+ top-up begins).
create or replace macro month_at_age(birth_date, years) as strftime(birth_date + to_years(years), '%Y-%m');

-- registration_rank(...): 1 for the death registration of an ID that counts: a later registration
-- corrects an earlier one (latest registered_on, then run month, file, row).
create or replace macro registration_rank(id_number, registered_on, run_month, source_file, source_row) as
row_number() over (partition by id_number
                   order by registered_on desc, run_month desc, source_file desc, source_row desc);

-- account_pension_of(balance_fen, divisor): the monthly account pension an award fixes (SPEC §5a):
-- the balance at award ÷ the divisor, half up to the fen in integer arithmetic (exact); an account
-- at 0 or below awards nothing.
create or replace macro account_pension_of(balance_fen, divisor) as
case when balance_fen > 0 then ((2 * balance_fen + divisor) // (2 * divisor))::bigint else 0::bigint end;

-- on_funeral_line(component, death_month): whether the money goes to a dead person's heirs on the
-- funeral line (the grant; the account refund of a dead person) rather than on the person's own
-- pension line (a terminated person's refund: SPEC §5a).
create or replace macro on_funeral_line(component, death_month) as
component = 'funeral_grant' or (component = 'account_refund' and death_month is not null);

-- carried_as_of(files, up_to): the payment balances as run month `up_to` carried them (SPEC §6). A
-- month's state/balances.parquet holds only the periods its entries touched, each in full; every
-- other period is as the latest month before that rewrote it. So each period's rows are read from
-- the latest of `files` (run months up to `up_to`) holding that period.
create or replace macro carried_as_of(files, up_to) as table
with
held as (
    select * from read_parquet(files, union_by_name = true) where run_month <= up_to
)
select * from held
semi join (select period, max(run_month) as run_month from held group by period) using (period, run_month);

-- due_as_of(due_files, recomputed_files, repriced_periods_files, up_to): due in force as run month
-- `up_to` left it (SPEC §6), every key. A month's state/due.parquet holds only its scope: every
-- key still due of its recomputed people (recomputed_people.parquet) and of its repriced months
-- (repriced_periods.parquet), and every funeral grant and account refund. So a key's due is the
-- row of the latest month whose scope held the key, and no row there means not due.
create or replace macro due_as_of(due_files, recomputed_files, repriced_files, up_to) as table
with
due_rows as (
    select * from read_parquet(due_files) where run_month <= up_to
),
person_last as (
    select id_number, max(run_month) as run_month from read_parquet(recomputed_files)
    where run_month <= up_to group by id_number
),
period_last as (
    select period, max(run_month) as run_month from read_parquet(repriced_files)
    where run_month <= up_to group by period
),
last_month as (
    select max(run_month) as run_month from period_last
)
select d.*
from due_rows as d
left join person_last as p using (id_number)
left join period_last as r using (period)
where d.run_month = greatest(
    coalesce(p.run_month, ''),
    coalesce(r.run_month, ''),
    case when d.component in ('funeral_grant', 'account_refund') then (select run_month from last_month) else '' end
);
