-- due_in_force: due as the ledger must end up, after the rule that a funeral grant once issued
-- stays as issued whatever a later death registration says.
-- Grain: one row per person per period per component with money due.
--   due_fen  integer fen owed
with
granted_before as (
    select id_number from paid where component = 'funeral_grant' and paid_fen > 0
),

final as (
    select * from due
    where component <> 'funeral_grant' or id_number not in (select id_number from granted_before)
    union all
    select id_number, period, component, paid_fen from paid
    where component = 'funeral_grant' and id_number in (select id_number from granted_before)
)

select * from final order by id_number, period, component
