-- The auditors' views over the payout outputs. Run DuckDB from inside an output folder (the one
-- holding ledger/ and the YYYY-MM/ month folders), then:  .read <path to this file>
-- (`make audit` does both). Nothing here depends on Python.

-- id_links: one row per ID correction: an old (wrongly registered) ID and the new ID that carries
-- its history (every run writes its month's accepted corrections to state/id_corrections.parquet).
create or replace view id_links as
select distinct old_id_number, new_id_number
from read_parquet('[0-9][0-9][0-9][0-9]-[0-9][0-9]/state/id_corrections.parquet', union_by_name = true);

-- ledger: one row per ledger entry of every run month (signed integer fen), with the person's
-- current ID (current_id_number: the new ID of a corrected one, else id_number as written).
create or replace view ledger as
select e.*, coalesce(l.new_id_number, e.id_number) as current_id_number
from read_parquet('ledger/run_month=*/*.parquet', hive_partitioning = false) as e
left join id_links as l on e.id_number = l.old_id_number;

-- months: one row per run month with outputs: whether it is closed (released to the bank).
create or replace view months as
select month as run_month, status = 'closed' as closed
from read_json('[0-9][0-9][0-9][0-9]-[0-9][0-9]/status.json',
               columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                          ledger: 'map(varchar, varchar)'});

-- due_latest: one row per person per period per component: due as computed by the latest run.
create or replace view due_latest as
select * exclude (run_month) from read_parquet('[0-9][0-9][0-9][0-9]-[0-9][0-9]/state/due.parquet')
where run_month = (select max(run_month) from months);

-- deaths_in_force: one row per dead person (by current ID): the latest registration (it corrects
-- earlier ones).
create or replace view deaths_in_force as
select * exclude (rank_latest) from (
    select *, row_number() over (partition by id_number
        order by registered_on desc, run_month desc, source_file desc, source_row desc) as rank_latest
    from (
        select d.* replace (coalesce(l.new_id_number, d.id_number) as id_number)
        from read_parquet('[0-9][0-9][0-9][0-9]-[0-9][0-9]/state/deaths.parquet', union_by_name = true) as d
        left join id_links as l on d.id_number = l.old_id_number
    )
) where rank_latest = 1;

-- person_history(id): one row per ledger entry of one person, in the order it happened; an ID
-- correction is followed both ways (the old ID or the new one gives the entries of both).
create or replace macro person_history(person_id) as table
select run_month, id_number, period, component, kind, reason, settlement, amount_fen,
       (amount_fen::decimal(18, 0) / 100)::decimal(18, 2) as amount_yuan, bank_code, account_number, batch_id, line_no,
       source_file, source_row, entry_id, reverses_entry_id
from ledger
where current_id_number = coalesce((select any_value(new_id_number) from id_links where old_id_number = person_id),
                                   person_id)
order by run_month, period, component, kind, settlement;

-- net_by_person_period: one row per person per period per component: the net paid so far.
create or replace view net_by_person_period as
select current_id_number as id_number, period, component, sum(amount_fen)::bigint as net_fen, count(*) as entries
from ledger
group by all;

-- bank_batches: one row per bank batch: the ledger's line count and total next to the control file's.
create or replace view bank_batches as
with
ledger_side as (
    select batch_id, count(distinct line_no) as ledger_lines, sum(amount_fen)::bigint as ledger_total_fen
    from ledger where batch_id is not null group by batch_id
),
control_side as (
    select batch_id, line_count as control_lines, total_fen as control_total_fen, file, sha256
    from read_json('[0-9][0-9][0-9][0-9]-[0-9][0-9]/bank/*.control.json')
)
select coalesce(l.batch_id, c.batch_id) as batch_id, ledger_lines, control_lines,
       ledger_total_fen, control_total_fen,
       coalesce(ledger_lines = control_lines and ledger_total_fen = control_total_fen, false) as reconciles,
       file, sha256
from ledger_side as l full outer join control_side as c using (batch_id);

-- paid_after_death: one row per person per period per component with money kept after death.
-- (The dead people's entries are picked before summing: a year's ledger has millions of entries.)
create or replace view paid_after_death as
with
dead as (
    select id_number, strftime(death_date, '%Y-%m') as death_month from deaths_in_force
),
net_after_death as (
    select l.current_id_number as id_number, l.period, l.component, sum(l.amount_fen)::bigint as net_fen,
           count(*) as entries
    from ledger as l
    join dead as d on l.current_id_number = d.id_number and l.period > d.death_month
    where l.component <> 'funeral_grant'
    group by all
)
select n.*, d.death_month
from net_after_death as n
join dead as d using (id_number)
where n.net_fen > 0;

-- holds_current: one row per person per period per component kept unpaid (held_fen > 0) or kept
-- unrecovered (held_fen < 0: a pending recovery of a person on no roster) by the latest run.
create or replace view holds_current as
select id_number, township_code, period, component, gap_fen as held_fen, hold_reason
from read_parquet('[0-9][0-9][0-9][0-9]-[0-9][0-9]/state/holds.parquet')
where run_month = (select max(run_month) from months);

-- double_payments: one row per person per period per component paid above due, or paid twice in
-- one run month. Net above due is allowed only as a recovery the latest run lists as pending in
-- holds_current (a person on no roster: SPEC §5, booked once they are back or a death is registered).
create or replace view double_payments as
with
above_due as (
    select n.id_number, n.period, n.component, 'net above due' as problem,
           n.net_fen, coalesce(d.due_fen, 0) as due_fen, null as run_month
    from net_by_person_period as n
    left join due_latest as d using (id_number, period, component)
    left join holds_current as h using (id_number, period, component)
    where n.net_fen > coalesce(d.due_fen, 0)
        and h.held_fen is distinct from coalesce(d.due_fen, 0) - n.net_fen
),
twice_in_a_run as (
    select current_id_number as id_number, period, component, 'two payments in one run' as problem,
           sum(amount_fen)::bigint as net_fen, null as due_fen, run_month
    from ledger where kind = 'payment'
    group by current_id_number, period, component, run_month
    having count(*) > 1
)
select * from above_due union all select * from twice_in_a_run;

-- gaps_unlisted: one row per person per period per component whose net paid differs from what the
-- latest run says is due, by an amount its holds list does not give (SPEC §5: net = due, or the gap
-- is listed in the holds list with its reason).
create or replace view gaps_unlisted as
with
gaps as (
    select coalesce(n.id_number, d.id_number) as id_number, coalesce(n.period, d.period) as period,
           coalesce(n.component, d.component) as component,
           coalesce(d.due_fen, 0) - coalesce(n.net_fen, 0) as gap_fen
    from net_by_person_period as n
    full outer join due_latest as d using (id_number, period, component)
    where coalesce(n.net_fen, 0) <> coalesce(d.due_fen, 0)
)
select g.*, h.held_fen, h.hold_reason
from gaps as g
left join holds_current as h using (id_number, period, component)
where h.held_fen is distinct from g.gap_fen;

-- arrears: one row per payment made for an earlier month than the run month.
create or replace view arrears as
select * from ledger where kind = 'payment' and reason = 'arrears';

-- recoveries_open: one row per person: money recovered but not set off, i.e. still owed (an owed
-- recovery set off against a later grant is cancelled by an owed_set_off entry of settlement owed).
create or replace view recoveries_open as
select current_id_number as id_number, any_value(township_code) as township_code,
       -sum(amount_fen)::bigint as owed_fen, count(*) as entries, min(period) as first_period,
       max(period) as last_period
from ledger where settlement = 'owed'
group by current_id_number
having sum(amount_fen) < 0;


-- closed_month_hashes: one row per file recorded when a month was closed, with its hash now.
create or replace view closed_month_hashes as
with
recorded as (
    select month, 'manifest.json' as file, manifest_sha256 as recorded_sha256,
           month || '/manifest.json' as path
    from read_json('[0-9][0-9][0-9][0-9]-[0-9][0-9]/status.json',
                   columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                              ledger: 'map(varchar, varchar)'})
    where status = 'closed'
    union all
    select month, entry.key as file, entry.value as recorded_sha256,
           'ledger/run_month=' || month || '/' || entry.key as path
    from (
        select month, unnest(map_entries(ledger)) as entry
        from read_json('[0-9][0-9][0-9][0-9]-[0-9][0-9]/status.json',
                       columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                                  ledger: 'map(varchar, varchar)'})
        where status = 'closed'
    )
)
select r.month, r.file, r.recorded_sha256, b.current_sha256,
       coalesce(r.recorded_sha256 = b.current_sha256, false) as unchanged
from recorded as r
left join (select filename, sha256(content) as current_sha256
           from read_blob(['[0-9][0-9][0-9][0-9]-[0-9][0-9]/manifest.json', 'ledger/run_month=*/*.parquet'])) as b
    on b.filename = r.path or ends_with(b.filename, '/' || r.path);

-- invariant_checks: one row per invariant the ledger must keep, with its count of violations
-- (`payout audit` fails when any is above zero).
create or replace view invariant_checks as
select 1 as rank, 'nobody is paid beyond the month of death' as invariant,
       (select count(*) from paid_after_death) as violations
union all select 2, 'no net payment above what is due', (select count(*) from double_payments)
union all select 3, 'every bank batch equals its ledger entries',
       (select count(*) from bank_batches where not reconciles)
union all select 4, 'every entry is traceable to a source row',
       (select count(*) from ledger where source_file is null or source_row is null)
union all select 5, 'closed months are unchanged since closing',
       (select count(*) from closed_month_hashes where not unchanged)
union all select 6, 'entry ids are unique', (select count(*) - count(distinct entry_id) from ledger)
union all select 7, 'net = due, or the gap is listed in holds', (select count(*) from gaps_unlisted)
order by rank;
