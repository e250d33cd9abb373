-- The run's self-audit of one month (pipeline/audit/check.py `month_invariant_checks`): loaded
-- after views.sql, with the *_files variables narrowed to the run month's files (its ledger
-- partition, due, holds, bank control files, status) and to the balances of the month and the
-- month before. Net paid then comes from the month's carried balances, which invariant 8 proves
-- equal to the month before's plus the month's entries: no view reads the earlier partitions.

-- net_by_person_period: as in views.sql, from the run month's balances (links followed).
create or replace view net_by_person_period as
select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component,
       sum(b.net_fen)::bigint as net_fen, yuan(sum(b.net_fen)) as net_yuan, null::bigint as entries
from read_parquet(getvariable('balances_files')) as b
left join id_links as l on b.id_number = l.old_id_number
where b.run_month = (select max(run_month) from months)
group by coalesce(l.new_id_number, b.id_number), b.period, b.component;

-- paid_after_death: as in views.sql, over that net.
create or replace view paid_after_death as
with
dead as (
    select id_number, strftime(death_date, '%Y-%m') as death_month from deaths_in_force
)
select n.id_number, n.period, n.component, n.net_fen, n.net_yuan, n.entries, d.death_month
from net_by_person_period as n
join dead as d using (id_number)
where n.period > d.death_month and n.component <> 'funeral_grant' and n.net_fen > 0;
