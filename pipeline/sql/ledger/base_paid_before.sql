-- base_paid_before: the people an earlier month paid a base pension (any earlier base entry), by
-- the person's current ID: an old ID's entries are the new ID's (id_links). All the account
-- pension and the refunds read of the earlier balances before the scope of the month is known:
-- a person paid before is never awarded at the previous system's value, nor refunded as never paid.
-- Grain: one row per person (ID).
-- Inputs: balances_before (as the month before carried it), id_links.
with
final as (
    select distinct coalesce(l.new_id_number, b.id_number) as id_number
    from balances_before as b
    left join id_links as l on b.id_number = l.old_id_number
    where b.component = 'base'
)

select * from final
