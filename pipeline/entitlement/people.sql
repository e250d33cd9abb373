-- people: everyone the run computes money for.
-- Grain: one row per person.
--   presence             rostered (accepted this month) | rejected (on a roster, row rejected:
--                        held) | absent (on no roster: nothing new, but a death is recovered)
--   last_rostered_month  for absent people, the last month a roster carried them
with
rostered as (
    select *, 'rostered' as presence, null::varchar as last_rostered_month from roster
),

not_rostered as (
    select
        * exclude (run_month),
        case when id_number in (select id_number from rejected_ids) then 'rejected' else 'absent' end
            as presence,
        case when id_number in (select id_number from rejected_ids) then null else run_month end
            as last_rostered_month
    from last_known
    where id_number not in (select id_number from roster)
),

final as (
    select * from rostered
    union all by name
    select * from not_rostered
)

select * from final
