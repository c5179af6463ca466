import sys,re,statistics as st
rows={}
for f in sys.argv[1:]:
  for l in open(f):
    p=l.split(); r,m,op=p[0],p[1],p[2]
    kv={}
    for x in p[3:]:
      k,v=x.split('=')
      kv[k]=v
    wall=int(kv['wall'])/1000; cpu=(int(kv['usr'])+int(kv['sys']))/1000
    stores={k:float(v.split('/')[0]) for k,v in kv.items() if k.endswith('_store')}
    ss=stores.get('state_store',0); other=sum(stores.values())-ss
    rows.setdefault((m,op),[]).append((wall,ss,other,wall-sum(stores.values()),cpu))
for (m,op),v in sorted(rows.items()):
  cols=list(zip(*v))
  print(f"{m:7} {op:7} n={len(v)} " + " ".join(f"{n}={st.median(c):6.2f}[{min(c):.2f}-{max(c):.2f}]" for n,c in zip(['wall','state','bind/unbind','outside','cpu'],cols)))
