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
