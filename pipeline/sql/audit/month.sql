-- The run's self-audit of one month (pipeline/audit/check.py `month_invariant_checks`): loaded
-- after views.sql, with the *_files variables narrowed to the run month's files (its ledger
-- partition, due, recomputed people and repriced months, holds, bank control files, status) and to
-- the balances files of the month and the month before, and with two views check.py defines:
-- balances_now and balances_month_before, the balances as of the run month and as of the month
-- before (every period, each from the latest file holding it). Net paid then comes from
-- balances_now, which invariant 8 proves equal to the month before's plus the month's entries: no
-- view reads the earlier partitions.

-- key_bucket(...), key_weight(...): the bucket (of 4096) and the weight (the hash's other 52
-- bits) of a person × period × component key, for the checks below that compare whole tables by
-- weighted sums per bucket instead of joining them.
create or replace macro key_bucket(id_number, period, component) as hash(id_number, period, component) % 4096;
create or replace macro key_weight(id_number, period, component) as
(hash(id_number, period, component) >> 12)::hugeint;

-- gaps_unlisted and double_payments: as in views.sql (invariants 7 and 2), for the keys the run
-- month could change: its scope (the keys of its recomputed people, of its repriced months, every
-- funeral grant and account refund: what its due file holds) and the keys of its entries. Any
-- other key's due is an earlier month's and its net the month before's (invariant 8), neither held
-- now nor the month before (a person held is recomputed): its gap is the one the month before's
-- audit found nil, in files the closed months' hashes keep. An entry outside the scope shows as a
-- gap (its due is not in the month's file).
create or replace temp table scope_people as
select id_number from read_parquet(getvariable('recomputed_people_files'))
where run_month = (select max(run_month) from months);

create or replace temp table scope_periods as
select period from read_parquet(getvariable('repriced_periods_files'))
where run_month = (select max(run_month) from months);

create or replace temp table entry_keys as
select distinct coalesce(l.new_id_number, e.id_number) as id_number, e.period, e.component
from read_parquet(getvariable('ledger_files'), hive_partitioning = false) as e
left join id_links as l on e.id_number = l.old_id_number
where e.run_month = (select max(run_month) from months);

create or replace temp table dead_people as
select id_number, strftime(death_date, '%Y-%m') as death_month from deaths_in_force;

-- The month's balances (links followed) that the checks below read, in one scan of every period
-- (4.8M rows at the 20k decade's month 120): the keys the month could change (in_scope), and every
-- key of the dead (paid_after_death).
create or replace temp table balances_read as
select * from (
    select b.*,
           b.component in ('funeral_grant', 'account_refund')
           or b.id_number in (select id_number from scope_people)
           or b.period in (select period from scope_periods)
           or exists (
               select 1 from entry_keys as k
               where k.id_number = b.id_number and k.period = b.period and k.component = b.component
           ) as in_scope
    from (
        select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component, b.net_fen
        from balances_now as b
        left join id_links as l on b.id_number = l.old_id_number
    ) as b
)
where in_scope or id_number in (select id_number from dead_people);

create or replace temp view net_in_scope as
select id_number, period, component, net_fen from balances_read where in_scope;

-- paid_after_death: as in views.sql, over the month's net of the dead (balances_read).
create or replace view paid_after_death as
with
net_after_death as (
    select d.id_number, b.period, b.component, sum(b.net_fen)::bigint as net_fen
    from balances_read as b
    join dead_people as d on b.id_number = d.id_number and b.period > d.death_month
    where b.component not in ('funeral_grant', 'account_refund')
    group by all
)
select n.id_number, n.period, n.component, n.net_fen, yuan(n.net_fen) as net_yuan, null::bigint as entries,
       d.death_month
from net_after_death as n
join dead_people as d using (id_number)
where n.net_fen > 0;

-- award_balances: as in views.sql, for the awards of the run month only (an earlier award was
-- checked by its own month's audit): the balance at award from the account balances the month
-- before carried (invariant 9 proves them the entries' sums) and the month's credits.
create or replace view award_balances as
with
awards as (
    select * from read_parquet(getvariable('awards_files'))
    where run_month = (select max(run_month) from months) and award_month = run_month
),
parts as (
    select b.id_number, b.net_fen as amount_fen
    from read_parquet(getvariable('account_balances_files')) as b
    where b.run_month < (select max(run_month) from months)
    union all
    select e.id_number, e.amount_fen
    from read_parquet(getvariable('account_entries_files')) as e
    where e.component in ('opening', 'contribution', 'subsidy', 'interest')
),
held as (
    select coalesce(l.new_id_number, p.id_number) as id_number, sum(p.amount_fen)::bigint as amount_fen
    from parts as p
    left join id_links as l on p.id_number = l.old_id_number
    group by all
)
select a.id_number, a.award_month, a.basis, a.balance_at_award_fen, a.divisor, a.account_pension_fen,
       coalesce(h.amount_fen, 0)::bigint as entries_balance_fen
from awards as a
left join held as h using (id_number);

-- balances_unequal: as in views.sql (invariant 8), for the run month: in every period its file
-- holds or its entries touch (two in an ordinary month), each key must be the month before's
-- balance plus the month's entries; a period neither holds nor touches is the month before's.
create or replace view balances_unequal as
with
run as (
    select max(run_month) as run_month from months
),
rewritten as (
    select id_number, period, component, net_fen, owed_fen
    from read_parquet(getvariable('balances_files'))
    where run_month = (select run_month from run)
),
entries as (
    select id_number, period, component, amount_fen as net_fen,
           case when settlement = 'owed' then amount_fen else 0 end as owed_fen
    from read_parquet(getvariable('ledger_files'), hive_partitioning = false)
    where run_month = (select run_month from run)
),
checked_periods as (
    select distinct period from rewritten
    union
    select distinct period from entries
),
expected as (
    select id_number, period, component, sum(net_fen)::bigint as net_fen, sum(owed_fen)::bigint as owed_fen
    from (
        select id_number, period, component, net_fen, owed_fen
        from balances_month_before semi join checked_periods using (period)
        union all
        select * from entries
    )
    group by all
)
select (select run_month from run) as run_month, id_number, period, component,
       c.net_fen as carried_net_fen, e.net_fen as ledger_net_fen,
       c.owed_fen as carried_owed_fen, e.owed_fen as ledger_owed_fen
from rewritten as c
full outer join expected as e using (id_number, period, component)
where c.net_fen is distinct from e.net_fen or c.owed_fen is distinct from e.owed_fen;

-- The month's due file and those balances can hold millions of rows (every period of a repriced
-- rule, a December's scope at 124k people): joined whole they cost what the months before made
-- them. Every key must have due − net = the gap the holds list gives (0 if none), so in each of
-- 4096 buckets of keys the sum of weight(key) × (due − net − held) is 0, weight(key) a 52-bit hash
-- of it: one scan of each table, no join. Only the keys of a bucket whose sum is not 0 are joined
-- and judged as views.sql judges them; a key it would list makes its bucket's sum differ, short of
-- a coincidence of 52 random bits.
create or replace temp table unsettled_buckets as
with
signed as (
    select id_number, period, component, due_fen as amount_fen
    from read_parquet(getvariable('due_files'))
    where run_month = (select max(run_month) from months)
    union all
    select id_number, period, component, -net_fen from net_in_scope
    union all
    select id_number, period, component, -held_fen from holds_current
)
select key_bucket(id_number, period, component) as bucket
from signed
group by bucket
having sum(key_weight(id_number, period, component) * amount_fen) <> 0;

-- net_by_person_period and due_latest, which only those two views read here: as in views.sql (net
-- from the run month's balances, links followed; due from its file), for the keys of those buckets.
create or replace view net_by_person_period as
select id_number, period, component, sum(net_fen)::bigint as net_fen, yuan(sum(net_fen)) as net_yuan,
       null::bigint as entries
from net_in_scope
where key_bucket(id_number, period, component) in (select bucket from unsettled_buckets)
group by all;

create or replace view due_latest as
select id_number, period, component, due_fen, yuan(due_fen) as due_yuan
from read_parquet(getvariable('due_files'))
where run_month = (select max(run_month) from months)
    and key_bucket(id_number, period, component) in (select bucket from unsettled_buckets);
