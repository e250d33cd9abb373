-- The auditors' views over the payout outputs. Run DuckDB from inside an output folder (the one
-- holding ledger/ and the YYYY-MM/ month folders), then read `payout audit --sql`: the variables
-- naming the files (*_files, from the state catalogue in pipeline/state.py), then this file
-- (`make audit` does both). Nothing here runs Python.
-- Every view and column carries a comment (COMMENT ON, at the end): `select table_name,
-- column_name, comment from duckdb_columns() where comment is not null` is the dictionary.
-- Amounts are integer fen (*_fen) with the same amount in yuan beside them (*_yuan, DECIMAL(18,2)).

-- normalise_id(id): an ID as the pipeline stores it: trimmed, a final x upper-cased, a legacy
-- 15-digit number upgraded to 18 (insert 19 before the year, append the GB 11643 check
-- character), as pipeline/core/idcard.py does. Every macro taking an ID applies it.
create or replace macro id_check_char(body) as
substr('10X98765432', (list_sum(list_transform(range(17), lambda i:
    (ascii(substr(body, i + 1, 1)) - 48) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i + 1])) % 11)::int + 1, 1);

create or replace macro id_upgraded(id) as
case when regexp_full_match(id, '[0-9]{15}')
     then left(id, 6) || '19' || substr(id, 7) || id_check_char(left(id, 6) || '19' || substr(id, 7))
     else id end;

create or replace macro normalise_id(id) as id_upgraded(upper(trim(id)));

-- yuan(fen): integer fen as exact yuan.
create or replace macro yuan(fen) as (fen::decimal(18, 0) / 100)::decimal(18, 2);

-- id_links: one row per ID correction: an old (wrongly registered) ID and the new ID that carries
-- its history (every run writes its month's accepted corrections to state/id_corrections.parquet).
create or replace view id_links as
select distinct old_id_number, new_id_number
from read_parquet(getvariable('id_corrections_files'), union_by_name = true);

-- ledger: one row per ledger entry of every run month (signed integer fen), with the person's
-- current ID (current_id_number: the new ID of a corrected one, else id_number as written).
create or replace view ledger as
select e.*, yuan(e.amount_fen) as amount_yuan, coalesce(l.new_id_number, e.id_number) as current_id_number
from read_parquet(getvariable('ledger_files'), hive_partitioning = false) as e
left join id_links as l on e.id_number = l.old_id_number;

-- months: one row per run month with outputs: whether it is closed (released to the bank).
create or replace view months as
select month as run_month, status = 'closed' as closed
from read_json(getvariable('status_files'),
               columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                          ledger: 'map(varchar, varchar)'});

-- due_latest: one row per person per period per component: due as the latest run left it (each
-- key from the latest month whose scope held it: macro due_as_of).
create or replace view due_latest as
select id_number, period, component, due_fen, yuan(due_fen) as due_yuan
from due_as_of(getvariable('due_files'), getvariable('recomputed_people_files'),
               getvariable('repriced_periods_files'), (select max(run_month) from months));

-- deaths_in_force: one row per dead person (by current ID): the latest registration (it corrects
-- earlier ones).
create or replace view deaths_in_force as
select id_number, name, death_date::date as death_date, registered_on::date as registered_on, source,
       payee_name, payee_bank_code, payee_account_number, payee_status, matched, source_file, source_row, run_month
from (
    select *, registration_rank(id_number, registered_on, run_month, source_file, source_row) as rank_latest
    from (
        select d.* replace (coalesce(l.new_id_number, d.id_number) as id_number)
        from read_parquet(getvariable('deaths_files'), union_by_name = true) as d
        left join id_links as l on d.id_number = l.old_id_number
    )
) where rank_latest = 1;

-- person_history(id): one row per ledger entry of one person, in the order it happened; an ID
-- correction is followed both ways (the old ID or the new one gives the entries of both).
create or replace macro person_history(person_id) as table
select run_month, id_number, period, component, kind, reason, settlement, amount_fen, amount_yuan, bank_code,
       account_number, batch_id, line_no, source_file, source_row, entry_id, reverses_entry_id
from ledger
where current_id_number = coalesce(
    (select any_value(new_id_number) from id_links where old_id_number = normalise_id(person_id)),
    normalise_id(person_id))
order by run_month, period, component, kind, settlement;

-- net_by_person_period: one row per person per period per component: the net paid so far.
create or replace view net_by_person_period as
select current_id_number as id_number, period, component, sum(amount_fen)::bigint as net_fen,
       yuan(sum(amount_fen)) as net_yuan, count(*) as entries
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
    from read_json(getvariable('bank_control_files'))
)
select coalesce(l.batch_id, c.batch_id) as batch_id, ledger_lines, control_lines,
       ledger_total_fen, control_total_fen, yuan(ledger_total_fen) as ledger_total_yuan,
       yuan(control_total_fen) as control_total_yuan,
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
    where l.component not in ('funeral_grant', 'account_refund')  -- once per person, for the death month as it was
    group by all
)
select n.id_number, n.period, n.component, n.net_fen, yuan(n.net_fen) as net_yuan, n.entries, d.death_month
from net_after_death as n
join dead as d using (id_number)
where n.net_fen > 0;

-- holds_current: one row per person per period per component kept unpaid (held_fen > 0) or kept
-- unrecovered (held_fen < 0: a pending recovery of a person on no roster) by the latest run.
create or replace view holds_current as
select id_number, township_code, period, component, gap_fen as held_fen, yuan(gap_fen) as held_yuan, hold_reason
from read_parquet(getvariable('holds_files'))
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
select id_number, period, component, problem, net_fen, yuan(net_fen) as net_yuan, due_fen::bigint as due_fen,
       yuan(due_fen) as due_yuan, run_month
from (select * from above_due union all select * from twice_in_a_run);

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
       -sum(amount_fen)::bigint as owed_fen, yuan(-sum(amount_fen)) as owed_yuan, count(*) as entries,
       min(period) as first_period,
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
    from read_json(getvariable('status_files'),
                   columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                              ledger: 'map(varchar, varchar)'})
    where status = 'closed'
    union all
    select month, entry.key as file, entry.value as recorded_sha256,
           'ledger/run_month=' || month || '/' || entry.key as path
    from (
        select month, unnest(map_entries(ledger)) as entry
        from read_json(getvariable('status_files'),
                       columns = {month: 'varchar', status: 'varchar', manifest_sha256: 'varchar',
                                  ledger: 'map(varchar, varchar)'})
        where status = 'closed'
    )
)
select r.month, r.file, r.recorded_sha256, b.current_sha256,
       coalesce(r.recorded_sha256 = b.current_sha256, false) as unchanged
from recorded as r
left join (select filename, sha256(content) as current_sha256
           from read_blob([getvariable('manifest_files'), getvariable('ledger_files')])) as b
    on b.filename = r.path or ends_with(b.filename, '/' || r.path);

-- balances_unequal: one row per month, person (ID as the entries carry it), period and component
-- where the balances the month carried (state/balances.parquet, the cache the next month starts
-- from) differ from the ledger's sums. A month's file holds the periods its entries touched, each
-- in full (every other period is as the month that last rewrote it: macro carried_as_of). Each
-- checked month (one with a status.json) must hold, in every period it rewrote or its entries
-- touch, the month before's balances of that period plus its own entries; a month whose month
-- before carried none, the sum of every entry up to it, in every period. From the first month on,
-- by induction: the balances as of any month = the ledger's sums.
create or replace view balances_unequal as
with
carried as (
    select run_month, id_number, period, component, net_fen, owed_fen
    from read_parquet(getvariable('balances_files'))
),
carried_months as (
    -- every month with a balances file, an empty one too (it rewrote no period)
    select regexp_extract(file_name, '([0-9]{4}-[0-9]{2})/state/[^/]+$', 1) as run_month
    from parquet_file_metadata(getvariable('balances_files'))
),
held_periods as (
    select distinct run_month, period from carried
),
checked as (
    select c.run_month,
           strftime(strptime(c.run_month, '%Y-%m') - interval 1 month, '%Y-%m') as month_before
    from carried_months as c
    join months as m using (run_month)
),
entries as (
    select run_month, id_number, period, component, amount_fen,
           case when settlement = 'owed' then amount_fen else 0 end as owed_amount_fen
    from read_parquet(getvariable('ledger_files'), hive_partitioning = false)
),
checked_periods as (
    -- the periods a checked month rewrote, and those its entries touch (which it must have rewritten)
    select run_month, period from held_periods where run_month in (select run_month from checked)
    union
    select run_month, period from entries where run_month in (select run_month from checked)
),
sources as (
    -- where the month before's balances of each checked period are: the latest file up to it holding it
    select c.run_month, c.period, max(h.run_month) as held_in
    from checked_periods as c
    join checked as k using (run_month)
    join held_periods as h on h.period = c.period and h.run_month <= k.month_before
    group by all
),
parts as (
    select s.run_month, b.id_number, b.period, b.component, b.net_fen, b.owed_fen
    from sources as s
    join carried as b on b.run_month = s.held_in and b.period = s.period
    where s.run_month in (select k.run_month from checked as k semi join carried_months as c on c.run_month = k.month_before)
    union all
    select k.run_month, e.id_number, e.period, e.component, e.amount_fen, e.owed_amount_fen
    from checked as k
    join entries as e on e.run_month < k.run_month
    where k.month_before not in (select run_month from carried_months)
    union all
    select k.run_month, e.id_number, e.period, e.component, e.amount_fen, e.owed_amount_fen
    from checked as k
    join entries as e on e.run_month = k.run_month
),
summed as (
    select run_month, id_number, period, component, sum(net_fen)::bigint as net_fen,
           sum(owed_fen)::bigint as owed_fen
    from parts
    group by run_month, id_number, period, component
),
rewritten as (
    select c.* from carried as c semi join checked_periods using (run_month, period)
)
select run_month, id_number, period, component, c.net_fen as carried_net_fen, s.net_fen as ledger_net_fen,
       c.owed_fen as carried_owed_fen, s.owed_fen as ledger_owed_fen
from rewritten as c
full outer join summed as s using (run_month, id_number, period, component)
where c.net_fen is distinct from s.net_fen or c.owed_fen is distinct from s.owed_fen;

-- townships: one row per configured township (from the policy recorded in the latest manifest).
create or replace view townships as
select t.code as township_code, t.name as township, t.funding as funding
from (
    select unnest(from_json(json_extract(policy, '$.values.townships'),
                            '[{"code": "VARCHAR", "name": "VARCHAR", "funding": "VARCHAR"}]')) as t
    from read_json(getvariable('manifest_files'), columns = {month: 'varchar', policy: 'json'})
    where month = (select max(run_month) from months)
);

-- people: one row per person ever on an accepted roster: the latest accepted row (the latest
-- run's state/last_known.parquet), so that an auditor finds an ID by name or township.
create or replace view people as
with latest as (
    select * from read_parquet(getvariable('last_known_files'),
                               filename = true, union_by_name = true)
    where regexp_extract(filename, '([0-9]{4}-[0-9]{2})[/\\]state[/\\]last_known', 1)
          = (select max(run_month) from months)
)
select l.id_number, l.name, l.township_code, t.township, l.village, l.status, l.bank_code,
       l.run_month as last_roster_month, l.ever_receiving
from latest as l
left join townships as t using (township_code);

-- person(id): the person's latest accepted roster row (the ID normalised as person_history does).
create or replace macro person(person_id) as table
select * from people where id_number = normalise_id(person_id);

-- account_component_rank(component): the order of an account's entries within one run and period
-- (credits, then the year's interest on the 1 January balance, then the debits).
create or replace macro account_component_rank(component) as
list_position(['opening', 'contribution', 'subsidy', 'interest', 'pension_debit', 'refund'], component);

-- account_ledger: one row per entry of the personal accounts of every run month (SPEC §5a; each
-- run's state/account_entries.parquet), with the holder's current ID as the ledger view gives it.
create or replace view account_ledger as
select a.*, yuan(a.amount_fen) as amount_yuan, coalesce(l.new_id_number, a.id_number) as current_id_number
from read_parquet(getvariable('account_entries_files')) as a
left join id_links as l on a.id_number = l.old_id_number;

-- account_statement(id): one row per entry of one person's account, in the order it was booked
-- (run month, period, credits before interest before debits), with the balance after it; an ID
-- correction is followed both ways, as person_history does.
create or replace macro account_statement(person_id) as table
select run_month, id_number, period, component, year, amount_fen, amount_yuan,
       sum(amount_fen) over booked::bigint as balance_fen, yuan(sum(amount_fen) over booked) as balance_yuan,
       source_file, source_row, entry_id
from account_ledger
where current_id_number = coalesce(
    (select any_value(new_id_number) from id_links where old_id_number = normalise_id(person_id)),
    normalise_id(person_id))
window booked as (order by run_month, period, account_component_rank(component), year, entry_id
                  rows between unbounded preceding and current row)
order by run_month, period, account_component_rank(component), year, entry_id;

-- account_balances_by_township: one row per township (the holder's on their latest accepted roster
-- row, else the latest their entries give; null: on no roster): the accounts and their sums over
-- every run month. balance = credits + interest + debits + refunds (debits and refunds negative).
create or replace view account_balances_by_township as
with
per_account as (
    select current_id_number as id_number,
           arg_max(township_code, run_month) filter (where township_code is not null) as entries_township,
           sum(amount_fen)::bigint as balance_fen,
           coalesce(sum(amount_fen) filter (where component in ('opening', 'contribution', 'subsidy')), 0)
               ::bigint as credits_fen,
           coalesce(sum(amount_fen) filter (where component = 'interest'), 0)::bigint as interest_fen,
           coalesce(sum(amount_fen) filter (where component = 'pension_debit'), 0)::bigint as debits_fen,
           coalesce(sum(amount_fen) filter (where component = 'refund'), 0)::bigint as refunds_fen
    from account_ledger
    group by current_id_number
),
placed as (
    select coalesce(p.township_code, a.entries_township) as township_code, a.*
    from per_account as a
    left join people as p using (id_number)
),
final as (
    select township_code, any_value(t.township) as township, count(*) as accounts,
           sum(balance_fen)::bigint as balance_fen, sum(credits_fen)::bigint as credits_fen,
           sum(interest_fen)::bigint as interest_fen, sum(debits_fen)::bigint as debits_fen,
           sum(refunds_fen)::bigint as refunds_fen,
           count(*) filter (where balance_fen <= 0) as accounts_exhausted
    from placed
    left join townships as t using (township_code)
    group by township_code
)
select township_code, township, accounts, accounts_exhausted, balance_fen, yuan(balance_fen) as balance_yuan,
       credits_fen, yuan(credits_fen) as credits_yuan, interest_fen, yuan(interest_fen) as interest_yuan,
       debits_fen, yuan(debits_fen) as debits_yuan, refunds_fen, yuan(refunds_fen) as refunds_yuan
from final
order by township_code nulls last;

-- account_interest_by_year: one row per year with interest credited: the accounts credited, the
-- 1 January balances it was computed on (the opening balance counts as held on 1 January of the
-- opening year, as the account step takes it) and the interest, with the rate they imply.
create or replace view account_interest_by_year as
with
credited as (
    select current_id_number as id_number, year, sum(amount_fen)::bigint as interest_fen, min(run_month) as run_month
    from account_ledger
    where component = 'interest'
    group by current_id_number, year
),
held as (
    select c.year, c.id_number, sum(a.amount_fen)::bigint as balance_fen
    from credited as c
    join account_ledger as a
        on a.current_id_number = c.id_number
        and (a.component = 'opening' or a.period < c.year::varchar || '-01')
        and a.run_month <= c.run_month
    group by c.year, c.id_number
),
final as (
    select c.year, any_value(c.run_month) as run_month, count(*) as accounts,
           sum(coalesce(h.balance_fen, 0))::bigint as balance_on_1_january_fen,
           sum(c.interest_fen)::bigint as interest_fen
    from credited as c
    left join held as h using (year, id_number)
    group by c.year
)
select year, run_month, accounts, balance_on_1_january_fen, yuan(balance_on_1_january_fen) as balance_on_1_january_yuan,
       interest_fen, yuan(interest_fen) as interest_yuan,
       round(interest_fen::decimal(38, 0) / nullif(balance_on_1_january_fen, 0), 6)::decimal(18, 6) as implied_rate
from final
order by year;
-- account_balances_unequal: one row per month, person (ID as the entries carry it), component and
-- year where the account balances the month carried (state/account_balances.parquet, the cache
-- the next month starts from) differ from the account entries' sums (SPEC §5a: a balance is the
-- sum of its entries). As balances_unequal: each checked month's must equal the month before's
-- plus its own entries (a month whose month before carried none: every entry up to it).
-- year 0 stands for an entry of no year (opening, debits, refunds).
create or replace view account_balances_unequal as
with
carried as (
    select run_month, id_number, component, coalesce(year, 0) as year, net_fen
    from read_parquet(getvariable('account_balances_files'))
),
checked as (
    select distinct c.run_month,
           strftime(strptime(c.run_month, '%Y-%m') - interval 1 month, '%Y-%m') as month_before
    from carried as c
    join months as m using (run_month)
),
entries as (
    select run_month, id_number, component, coalesce(year, 0) as year, amount_fen
    from read_parquet(getvariable('account_entries_files'))
),
parts as (
    select k.run_month, b.id_number, b.component, b.year, b.net_fen
    from checked as k
    join carried as b on b.run_month = k.month_before
    union all
    select k.run_month, e.id_number, e.component, e.year, e.amount_fen
    from checked as k
    join entries as e on e.run_month < k.run_month
    where k.month_before not in (select run_month from carried)
    union all
    select k.run_month, e.id_number, e.component, e.year, e.amount_fen
    from checked as k
    join entries as e on e.run_month = k.run_month
),
summed as (
    select run_month, id_number, component, year, sum(net_fen)::bigint as net_fen
    from parts
    group by run_month, id_number, component, year
)
select run_month, id_number, component, year, c.net_fen as carried_net_fen, s.net_fen as entries_net_fen
from (select * from carried where run_month in (select run_month from checked)) as c
full outer join summed as s using (run_month, id_number, component, year)
where c.net_fen is distinct from s.net_fen;

-- refunds_to_living: one row per account refund paid (SPEC §5a) to a person neither registered
-- dead nor terminated on their latest roster row (should be empty).
create or replace view refunds_to_living as
select l.current_id_number as id_number, l.run_month, l.period, l.amount_fen, p.status
from ledger as l
left join deaths_in_force as d on d.id_number = l.current_id_number
left join people as p on p.id_number = l.current_id_number
where l.component = 'account_refund' and l.kind = 'payment'
    and d.id_number is null and p.status is distinct from 'terminated';

-- award_balances: one row per award of the latest run's awards (state/awards.parquet) with the
-- balance at award as the account entries give it: every entry of the runs before the award
-- month, and the award month's credits (an old ID's entries are the new ID's).
create or replace view award_balances as
with
awards as (
    select * from read_parquet(getvariable('awards_files'))
    where run_month = (select max(run_month) from months)
),
entries as (
    select coalesce(l.new_id_number, e.id_number) as id_number, e.run_month, e.component, e.amount_fen
    from read_parquet(getvariable('account_entries_files')) as e
    left join id_links as l on e.id_number = l.old_id_number
)
select a.id_number, a.award_month, a.basis, a.balance_at_award_fen, a.divisor, a.account_pension_fen,
       coalesce(sum(e.amount_fen), 0)::bigint as entries_balance_fen
from awards as a
left join entries as e
    on e.id_number = a.id_number
    and (e.run_month < a.award_month
         or (e.run_month = a.award_month and e.component in ('opening', 'contribution', 'subsidy', 'interest')))
group by all;

-- awards_unequal: one row per award computed by this pipeline whose account pension is not the
-- balance at award (as the account entries give it) ÷ its divisor, half up (should be empty).
create or replace view awards_unequal as
select *, account_pension_of(entries_balance_fen, divisor) as expected_fen
from award_balances
where basis = 'computed'
    and (balance_at_award_fen <> entries_balance_fen
         or account_pension_fen <> account_pension_of(entries_balance_fen, divisor));

-- invariant_checks: one row per invariant the ledger must keep, with its count of violations
-- (`payout audit` fails when any is above zero) and the query that lists them (`make audit`).
create or replace view invariant_checks as
select 1 as rank, 'nobody is paid beyond the month of death' as invariant,
       (select count(*) from paid_after_death) as violations,
       'select * from paid_after_death' as query
union all select 2, 'no net payment above what is due', (select count(*) from double_payments),
       'select * from double_payments'
union all select 3, 'every bank batch equals its ledger entries',
       (select count(*) from bank_batches where not reconciles),
       'select * from bank_batches where not reconciles'
union all select 4, 'every entry is traceable to a source row',
       (select count(*) from ledger where source_file is null or source_row is null),
       'select * from ledger where source_file is null or source_row is null'
union all select 5, 'closed months are unchanged since closing',
       (select count(*) from closed_month_hashes where not unchanged),
       'select * from closed_month_hashes where not unchanged'
union all select 6, 'entry ids are unique', (select count(*) - count(distinct entry_id) from ledger),
       'select entry_id, count(*) from ledger group by entry_id having count(*) > 1'
union all select 7, 'net = due, or the gap is listed in holds', (select count(*) from gaps_unlisted),
       'select * from gaps_unlisted'
union all select 8, 'carried balances equal the ledger''s sums', (select count(*) from balances_unequal),
       'select * from balances_unequal'
union all select 9, 'account balances equal the sums of the account entries',
       (select count(*) from account_balances_unequal), 'select * from account_balances_unequal'
union all select 10, 'no account refund to a living person', (select count(*) from refunds_to_living),
       'select * from refunds_to_living'
union all select 11, 'an award''s account pension is the balance at award ÷ the divisor',
       (select count(*) from awards_unequal), 'select * from awards_unequal'
order by rank;

-- The catalogue documents itself: a comment on every view and column (docs/ledger.md is the source).
comment on view ledger is 'One row per ledger entry of every run month (signed integer fen); the auditors'' source of truth.';
comment on view months is 'One row per run month with outputs, and whether it is closed (released to the bank).';
comment on view due_latest is 'One row per person, period and component: the money due as the latest run left it (each key as the latest month whose scope held it computed it).';
comment on view deaths_in_force is 'One row per dead person: the latest registration, which corrects earlier ones.';
comment on view net_by_person_period is 'One row per person, period and component: the net paid so far over all run months.';
comment on view bank_batches is 'One row per bank batch: the ledger''s line count and total next to its control file''s.';
comment on view paid_after_death is 'One row per person, period and component with money kept after the month of death (should be empty).';
comment on view double_payments is 'One row per person, period and component paid above due, or paid twice in one run (should be empty).';
comment on view arrears is 'One row per payment made for an earlier month than its run month (the ledger''s columns).';
comment on view recoveries_open is 'One row per person: money recovered but not set off, i.e. still owed back.';
comment on view holds_current is 'One row per person, period and component kept unpaid by the latest run, with the reason.';
comment on view closed_month_hashes is 'One row per file recorded when a month was closed, with its SHA-256 now.';
comment on view invariant_checks is 'One row per invariant the ledger must keep, with its count of violations (payout audit fails above zero).';
comment on column invariant_checks.query is 'the query (make audit) that lists the violations';
comment on view id_links is 'One row per identity correction: the wrongly registered ID and the new ID that carries its history.';
comment on column id_links.old_id_number is 'the ID as first (wrongly) registered: never paid again (GB 11643 ID)';
comment on column id_links.new_id_number is 'the corrected ID that carries the history (GB 11643 ID)';
comment on view gaps_unlisted is 'One row per person, period and component whose net paid differs from due by an amount the holds list does not give (should be empty).';
comment on column gaps_unlisted.id_number is 'the person (current ID after any correction) (GB 11643 ID)';
comment on column gaps_unlisted.period is 'the month the money belongs to (YYYY-MM)';
comment on column gaps_unlisted.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column gaps_unlisted.gap_fen is 'due less net paid (integer fen, signed)';
comment on column gaps_unlisted.held_fen is 'the gap the holds list gives (null: none listed)';
comment on column gaps_unlisted.hold_reason is 'the reason the holds list gives';
comment on column ledger.current_id_number is 'the person''s current ID: the new ID of a corrected one, else id_number as written';
comment on column arrears.current_id_number is 'the person''s current ID: the new ID of a corrected one, else id_number as written';
comment on view townships is 'One row per configured township (镇街): code, name and funding, from the policy in the latest manifest.';
comment on view people is 'One row per person ever on an accepted roster: the latest accepted row (ID, name, township).';
comment on column arrears.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column arrears.entry_id is 'stable id: identical inputs give identical ids (hash of run month, person, period, component, kind, reason, settlement, reversed entry) (unique)';
comment on column arrears.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column arrears.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column arrears.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column arrears.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column arrears.kind is 'money out, money taken back, money the bank returned (payment, recovery, reversal)';
comment on column arrears.reason is 'why the entry exists (see below)';
comment on column arrears.settlement is 'how the money moves (below) (bank, set_off, owed, returned)';
comment on column arrears.amount_fen is 'payments > 0; recoveries and reversals < 0 (fen, signed)';
comment on column arrears.bank_code is 'bank of the line that carries the money (JRCB, ICBC, ABC, BOC, CCB, PSBC)';
comment on column arrears.account_number is 'account of that line (the pensioner''s, or the next of kin''s for a grant) (12–25 digits)';
comment on column arrears.batch_id is 'bank batch carrying the entry; null when no bank line does (YYYY-MM-BANK-PENSION / -FUNERAL)';
comment on column arrears.line_no is 'line (序号) in that batch''s file (1..)';
comment on column arrears.source_file is 'the input file the entry comes from: roster (payments), death registration (grants, recoveries after death) or bank return (reversals) (path under the inbox)';
comment on column arrears.source_row is 'the row in that file (row number as Excel shows it (header = 1))';
comment on column arrears.reverses_entry_id is 'for a reversal: the payment whose money came back (an entry_id)';
comment on column arrears.amount_yuan is 'amount_fen in yuan (元), exact, DECIMAL(18,2)';
comment on column bank_batches.batch_id is 'bank batch carrying the entry; null when no bank line does (YYYY-MM-BANK-PENSION / -FUNERAL)';
comment on column bank_batches.ledger_lines is 'distinct bank lines of the batch in the ledger';
comment on column bank_batches.control_lines is 'line count written in the batch''s control file';
comment on column bank_batches.ledger_total_fen is 'the ledger''s total of the batch (integer fen)';
comment on column bank_batches.control_total_fen is 'the control file''s total of the batch (integer fen)';
comment on column bank_batches.ledger_total_yuan is 'ledger_total_fen in yuan (元), DECIMAL(18,2)';
comment on column bank_batches.control_total_yuan is 'control_total_fen in yuan (元), DECIMAL(18,2)';
comment on column bank_batches.reconciles is 'true when ledger and control file agree on lines and total';
comment on column bank_batches.file is 'the file''s name (bank file, or the file recorded at closing)';
comment on column bank_batches.sha256 is 'SHA-256 of the bank file as written';
comment on column closed_month_hashes.month is 'the run month (YYYY-MM)';
comment on column closed_month_hashes.file is 'the file''s name (bank file, or the file recorded at closing)';
comment on column closed_month_hashes.recorded_sha256 is 'SHA-256 recorded in status.json when the month was closed';
comment on column closed_month_hashes.current_sha256 is 'SHA-256 of the file now';
comment on column closed_month_hashes.unchanged is 'true when the file still has its recorded hash';
comment on column deaths_in_force.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column deaths_in_force.name is 'the person''s name (姓名) as the roster or registration gives it';
comment on column deaths_in_force.death_date is 'date of death (DATE)';
comment on column deaths_in_force.registered_on is 'the day the death was registered (DATE); the latest registration is in force';
comment on column deaths_in_force.source is 'who registered the death: 公安/民政/卫健/镇街';
comment on column deaths_in_force.payee_name is 'next of kin who receives the funeral grant';
comment on column deaths_in_force.payee_bank_code is 'bank of the next of kin''s account';
comment on column deaths_in_force.payee_account_number is 'the next of kin''s account number (text: every digit kept)';
comment on column deaths_in_force.payee_status is 'complete / missing / invalid: whether the grant can be paid';
comment on column deaths_in_force.matched is 'true when the dead person was on some roster, this month or earlier';
comment on column deaths_in_force.source_file is 'the input file the entry comes from: roster (payments), death registration (grants, recoveries after death) or bank return (reversals) (path under the inbox)';
comment on column deaths_in_force.source_row is 'the row in that file (row number as Excel shows it (header = 1))';
comment on column deaths_in_force.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column double_payments.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column double_payments.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column double_payments.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column double_payments.problem is 'which check the row breaks: net above due, or two payments in one run';
comment on column double_payments.net_fen is 'sum of amount_fen (integer fen, signed)';
comment on column double_payments.net_yuan is 'net_fen in yuan (元), DECIMAL(18,2)';
comment on column double_payments.due_fen is 'money due for the person, period and component (integer fen)';
comment on column double_payments.due_yuan is 'due_fen in yuan (元), DECIMAL(18,2)';
comment on column double_payments.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column due_latest.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column due_latest.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column due_latest.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column due_latest.due_fen is 'money due for the person, period and component (integer fen)';
comment on column due_latest.due_yuan is 'due_fen in yuan (元), DECIMAL(18,2)';
comment on column holds_current.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column holds_current.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column holds_current.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column holds_current.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column holds_current.held_fen is 'money kept unpaid (integer fen)';
comment on column holds_current.held_yuan is 'held_fen in yuan (元), DECIMAL(18,2)';
comment on column holds_current.hold_reason is 'why the money is held (see Hold reasons in docs/ledger.md)';
comment on column invariant_checks.rank is 'order of the invariant';
comment on column invariant_checks.invariant is 'the rule the ledger must keep';
comment on column invariant_checks.violations is 'rows breaking the rule (0 when the ledger is sound)';
comment on column ledger.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column ledger.entry_id is 'stable id: identical inputs give identical ids (hash of run month, person, period, component, kind, reason, settlement, reversed entry) (unique)';
comment on column ledger.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column ledger.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column ledger.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column ledger.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column ledger.kind is 'money out, money taken back, money the bank returned (payment, recovery, reversal)';
comment on column ledger.reason is 'why the entry exists (see below)';
comment on column ledger.settlement is 'how the money moves (below) (bank, set_off, owed, returned)';
comment on column ledger.amount_fen is 'payments > 0; recoveries and reversals < 0 (fen, signed)';
comment on column ledger.bank_code is 'bank of the line that carries the money (JRCB, ICBC, ABC, BOC, CCB, PSBC)';
comment on column ledger.account_number is 'account of that line (the pensioner''s, or the next of kin''s for a grant) (12–25 digits)';
comment on column ledger.batch_id is 'bank batch carrying the entry; null when no bank line does (YYYY-MM-BANK-PENSION / -FUNERAL)';
comment on column ledger.line_no is 'line (序号) in that batch''s file (1..)';
comment on column ledger.source_file is 'the input file the entry comes from: roster (payments), death registration (grants, recoveries after death) or bank return (reversals) (path under the inbox)';
comment on column ledger.source_row is 'the row in that file (row number as Excel shows it (header = 1))';
comment on column ledger.reverses_entry_id is 'for a reversal: the payment whose money came back (an entry_id)';
comment on column ledger.amount_yuan is 'amount_fen in yuan (元), exact, DECIMAL(18,2)';
comment on column months.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column months.closed is 'true when the month is closed (released to the bank; never changes again)';
comment on column net_by_person_period.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column net_by_person_period.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column net_by_person_period.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column net_by_person_period.net_fen is 'sum of amount_fen (integer fen, signed)';
comment on column net_by_person_period.net_yuan is 'net_fen in yuan (元), DECIMAL(18,2)';
comment on column net_by_person_period.entries is 'number of ledger entries summed';
comment on column paid_after_death.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column paid_after_death.period is 'the month the money belongs to (YYYY-MM; may be earlier than run_month: arrears, recoveries)';
comment on column paid_after_death.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column paid_after_death.net_fen is 'sum of amount_fen (integer fen, signed)';
comment on column paid_after_death.net_yuan is 'net_fen in yuan (元), DECIMAL(18,2)';
comment on column paid_after_death.entries is 'number of ledger entries summed';
comment on column paid_after_death.death_month is 'the month of death (YYYY-MM); months after it are not due';
comment on column people.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column people.name is 'the person''s name (姓名) as the roster or registration gives it';
comment on column people.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column people.township is 'the township''s name (镇街)';
comment on column people.village is 'village or community (村居) on the roster';
comment on column people.status is 'roster status: receiving, contributing, suspended or terminated';
comment on column people.bank_code is 'bank of the line that carries the money (JRCB, ICBC, ABC, BOC, CCB, PSBC)';
comment on column people.last_roster_month is 'the last run month whose accepted roster has the person';
comment on column people.ever_receiving is 'true when the person was ever receiving a pension';
comment on column recoveries_open.id_number is 'the pensioner (for a funeral grant: the deceased) (GB 11643 ID)';
comment on column recoveries_open.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column recoveries_open.owed_fen is 'money still owed back (integer fen, positive)';
comment on column recoveries_open.owed_yuan is 'owed_fen in yuan (元), DECIMAL(18,2)';
comment on column recoveries_open.entries is 'number of ledger entries summed';
comment on column recoveries_open.first_period is 'earliest period of the money owed';
comment on column recoveries_open.last_period is 'latest period of the money owed';
comment on column townships.township_code is 'the person''s township (镇街) when the entry was written (320281xxx)';
comment on column townships.township is 'the township''s name (镇街)';
comment on column townships.funding is 'self: the zone pays its residents in full; split: township and city pay half each';
comment on view balances_unequal is 'One row per month, person, period and component whose carried balances differ from the ledger''s sums (should be empty).';
comment on column balances_unequal.run_month is 'the monthly run (YYYY-MM) that carried the balances';
comment on column balances_unequal.id_number is 'the person as the entries carry the ID (links not followed) (GB 11643 ID)';
comment on column balances_unequal.period is 'the month the money belongs to (YYYY-MM)';
comment on column balances_unequal.component is '基础养老金, 65周岁以上倾斜, 个人账户养老金, 丧葬补助费 (base, topup65, account, funeral_grant)';
comment on column balances_unequal.carried_net_fen is 'net paid as the month''s balances carry it (integer fen, signed; null: no row)';
comment on column balances_unequal.ledger_net_fen is 'net paid as the ledger sums it (integer fen, signed; null: no entry)';
comment on column balances_unequal.carried_owed_fen is 'sum of the owed entries as the balances carry it (integer fen, signed)';
comment on column balances_unequal.ledger_owed_fen is 'sum of the owed entries as the ledger gives it (integer fen, signed)';
comment on view account_ledger is 'One row per entry of the personal accounts (个人账户, SPEC §5a) of every run month (signed integer fen).';
comment on column account_ledger.entry_id is 'stable id of the account entry (hash of run month, person, component, year, period) (unique)';
comment on column account_ledger.id_number is 'the account holder as the entry carries the ID (GB 11643 ID)';
comment on column account_ledger.township_code is 'the holder''s township at the run (320281xxx; null: on no roster)';
comment on column account_ledger.period is 'opening: the as-of month; a credit: the month of paid_on; a correcting entry: its run month; interest: the December it is credited in (YYYY-MM)';
comment on column account_ledger.component is '期初余额, 个人缴费, 政府补贴, 利息, 个人账户养老金支出, 退还余额 (opening, contribution, subsidy, interest, pension_debit, refund)';
comment on column account_ledger.amount_fen is 'credits > 0, debits < 0; a correcting entry is the difference (fen, signed)';
comment on column account_ledger.year is 'contribution, subsidy: the contribution''s year; interest: the year it is for';
comment on column account_ledger.source_file is 'the input file of the entry (accounts/opening.csv, contributions/YYYY.csv); null for interest';
comment on column account_ledger.source_row is 'the row in that file (row number as Excel shows it (header = 1))';
comment on column account_ledger.run_month is 'the monthly run (YYYY-MM) that wrote the entry';
comment on column account_ledger.amount_yuan is 'amount_fen in yuan (元), exact, DECIMAL(18,2)';
comment on column account_ledger.current_id_number is 'the holder''s current ID: the new ID of a corrected one, else id_number as written';
comment on view account_balances_by_township is 'One row per township: the personal accounts held there and their sums (balance = credits + interest + debits + refunds).';
comment on column account_balances_by_township.township_code is 'the holder''s township on their latest accepted roster row, else on their latest entry (320281xxx; null: on no roster)';
comment on column account_balances_by_township.township is 'the township''s name (镇街)';
comment on column account_balances_by_township.accounts is 'number of accounts (people with any account entry)';
comment on column account_balances_by_township.accounts_exhausted is 'accounts whose balance is 0 or below (exhausted: the fund pays their account pension)';
comment on column account_balances_by_township.balance_fen is 'sum of every entry of these accounts (integer fen, signed)';
comment on column account_balances_by_township.balance_yuan is 'balance_fen in yuan (元), DECIMAL(18,2)';
comment on column account_balances_by_township.credits_fen is 'opening balances, contributions and subsidies credited, corrections included (integer fen)';
comment on column account_balances_by_township.credits_yuan is 'credits_fen in yuan (元), DECIMAL(18,2)';
comment on column account_balances_by_township.interest_fen is 'interest credited (integer fen)';
comment on column account_balances_by_township.interest_yuan is 'interest_fen in yuan (元), DECIMAL(18,2)';
comment on column account_balances_by_township.debits_fen is 'account pension debited (pension_debit entries, integer fen, negative)';
comment on column account_balances_by_township.debits_yuan is 'debits_fen in yuan (元), DECIMAL(18,2)';
comment on column account_balances_by_township.refunds_fen is 'balances paid out at death or on leaving (refund entries, integer fen, negative)';
comment on column account_balances_by_township.refunds_yuan is 'refunds_fen in yuan (元), DECIMAL(18,2)';
comment on view account_interest_by_year is 'One row per year with interest credited to the personal accounts: accounts, 1 January balances, interest.';
comment on column account_interest_by_year.year is 'the year the interest is for';
comment on column account_interest_by_year.run_month is 'the run (the year''s December) that credited it';
comment on column account_interest_by_year.accounts is 'accounts credited with interest (a balance of 0 or below earns none)';
comment on column account_interest_by_year.balance_on_1_january_fen is 'their balances held on 1 January (opening balance and entries of earlier periods, integer fen)';
comment on column account_interest_by_year.balance_on_1_january_yuan is 'balance_on_1_january_fen in yuan (元), DECIMAL(18,2)';
comment on column account_interest_by_year.interest_fen is 'interest credited (half up to the fen per person, integer fen)';
comment on column account_interest_by_year.interest_yuan is 'interest_fen in yuan (元), DECIMAL(18,2)';
comment on column account_interest_by_year.implied_rate is 'interest ÷ 1 January balance (the policy''s rate, up to the rounding per person)';
comment on view account_balances_unequal is 'One row per month, person, component and year whose carried account balances differ from the account entries'' sums (should be empty).';
comment on column account_balances_unequal.run_month is 'the monthly run (YYYY-MM) that carried the account balances';
comment on column account_balances_unequal.id_number is 'the account holder as the entries carry the ID (links not followed) (GB 11643 ID)';
comment on column account_balances_unequal.component is 'account entry component: opening, contribution, subsidy, interest, pension_debit, refund';
comment on column account_balances_unequal.year is 'contribution, subsidy, interest: the year; 0: an entry of no year';
comment on column account_balances_unequal.carried_net_fen is 'net as the month''s account balances carry it (integer fen, signed; null: no row)';
comment on column account_balances_unequal.entries_net_fen is 'net as the account entries sum it (integer fen, signed; null: no entry)';
comment on view refunds_to_living is 'One row per account refund paid to a person neither registered dead nor terminated on their latest roster row (should be empty).';
comment on column refunds_to_living.id_number is 'the person refunded (current ID) (GB 11643 ID)';
comment on column refunds_to_living.run_month is 'the monthly run (YYYY-MM) that wrote the row';
comment on column refunds_to_living.period is 'the month the refund belongs to (the death month, or the end month of a terminated person)';
comment on column refunds_to_living.amount_fen is 'the refund paid (integer fen)';
comment on column refunds_to_living.status is 'roster status of the person''s latest accepted row (null: on no roster)';
comment on view award_balances is 'One row per award of an account pension (latest run''s awards) with the balance at award as the account entries give it.';
comment on column award_balances.id_number is 'the person awarded (GB 11643 ID, as at the award)';
comment on column award_balances.award_month is 'the run month of the person''s first base payment entry (YYYY-MM)';
comment on column award_balances.basis is 'computed (balance at award ÷ divisor) or previous_system (the roster''s value in the opening month)';
comment on column award_balances.balance_at_award_fen is 'the balance at award the award recorded (integer fen)';
comment on column award_balances.divisor is 'the divisor in force in the award month (computed awards; null otherwise)';
comment on column award_balances.account_pension_fen is 'the monthly account pension awarded (integer fen)';
comment on column award_balances.entries_balance_fen is 'the balance at award as the account entries give it: every entry before the award run, and its credits (integer fen)';
comment on view awards_unequal is 'One row per computed award whose recorded balance or account pension is not the entries'' balance at award ÷ its divisor, half up (should be empty).';
comment on column awards_unequal.id_number is 'the person awarded (GB 11643 ID, as at the award)';
comment on column awards_unequal.award_month is 'the run month of the person''s first base payment entry (YYYY-MM)';
comment on column awards_unequal.basis is 'computed (balance at award ÷ divisor) or previous_system (the roster''s value in the opening month)';
comment on column awards_unequal.balance_at_award_fen is 'the balance at award the award recorded (integer fen)';
comment on column awards_unequal.divisor is 'the divisor in force in the award month (computed awards; null otherwise)';
comment on column awards_unequal.account_pension_fen is 'the monthly account pension awarded (integer fen)';
comment on column awards_unequal.entries_balance_fen is 'the balance at award as the account entries give it: every entry before the award run, and its credits (integer fen)';
comment on column awards_unequal.expected_fen is 'entries_balance_fen ÷ divisor, half up to the fen: what the award should be (integer fen)';
