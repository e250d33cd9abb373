-- people: everyone the run computes money for.
-- Grain: one row per person.
--   presence             rostered (accepted this month) | rejected (on a roster, row rejected:
--                        held) | absent (on no roster: nothing new, but a death is recovered)
--   last_rostered_month  for absent people, the last month a roster carried them
-- A corrected ID (id_links: old -> new) is the new ID: the old ID's last known row becomes the new
-- ID's (unless the new ID has a row of its own), with the birth date and sex the new ID encodes,
-- so that due is recomputed under the corrected birth date; a rejected old-ID row holds the new ID.
with
known_before as (
    select
        k.* replace (
            coalesce(l.new_id_number, k.id_number) as id_number,
            case when l.new_id_number is null then k.birth_date
                 else strptime(substr(l.new_id_number, 7, 8), '%Y%m%d') end as birth_date,
            case when l.new_id_number is null then k.sex
                 when substr(l.new_id_number, 17, 1)::int % 2 = 1 then 'M' else 'F' end as sex
        ),
        l.new_id_number is not null as moved
    from last_known as k
    left join id_links as l on k.id_number = l.old_id_number
),

latest_known as (
    -- one row per (new) ID: its own row first, then the latest
    select * exclude (moved, rank_own) from (
        select *, row_number() over (partition by id_number order by moved, run_month desc) as rank_own
        from known_before
    )
    where rank_own = 1
),

rejected as (
    select coalesce(l.new_id_number, r.id_number) as id_number
    from rejected_ids as r
    left join id_links as l on r.id_number = l.old_id_number
),

rostered as (
    select *, 'rostered' as presence, null::varchar as last_rostered_month from roster
),

not_rostered as (
    select
        * exclude (run_month),
        case when id_number in (select id_number from rejected) then 'rejected' else 'absent' end
            as presence,
        case when id_number in (select id_number from rejected) then null else run_month end
            as last_rostered_month
    from latest_known
    where id_number not in (select id_number from roster)
),

final as (
    select * from rostered
    union all by name
    select * from not_rostered
)

select * from final
