-- 居保缴费续缴及时性 contribution timeliness: contributions of the year paid in its fourth quarter (the
-- collection period) ÷ all contributions of the year.
-- Grain of the result: one row.
select
    count(*) filter (where paid_on >= make_date(getvariable('year'), 10, 1)
                       and paid_on <= make_date(getvariable('year'), 12, 31)) as numerator,
    count(*) as denominator
from contributions
