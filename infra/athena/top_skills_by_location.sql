-- Top 20 skills per location over the last 7 days.
SELECT location, skill, postings
FROM (
  SELECT location, skill, count(*) AS postings,
         row_number() OVER (PARTITION BY location ORDER BY count(*) DESC) AS rank
  FROM "${database}"."${postings}"
  CROSS JOIN UNNEST(skills) AS t (skill)
  WHERE dt >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')
  GROUP BY location, skill
)
WHERE rank <= 20
ORDER BY location, postings DESC
